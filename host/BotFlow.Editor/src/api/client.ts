// A small typed client over fetch: every non-2xx answer becomes an ApiError carrying the host's ProblemDetails.
import type {
  BlockRunInput, BlockType, ChannelInfo, ChannelInput, ChannelType, Contact, ExecutionFilter, ExecutionRecord, FieldDefinition, FieldInput, FlowDoc, FlowError,
  FlowSummary, MessageAnswer, MessageInput, PreviewAnswer, ProblemDetails, SecretInfo, TestAnswer, ValidationAnswer,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  /** Seconds from the answer's Retry-After header (429), when it has one. */
  readonly retryAfter: number | null;

  constructor(status: number, problem: ProblemDetails, retryAfter: number | null = null) {
    super(problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The `{ blockId, path, message }` list of a validation answer (empty for other problems). */
  get errors(): FlowError[] {
    return this.problem.errors ?? [];
  }

  /** One line for a toast: the title, then the detail when it adds something. */
  get summary(): string {
    const { title, detail } = this.problem;
    return detail && detail !== title ? `${title ?? ''} ${detail}`.trim() : title ?? this.message;
  }
}

/** Who is calling, as `GET /api/auth/me` and sign-in answer it. */
export interface Me {
  name: string;
  role: string;
  /** "cookie" after a sign-in; "development-loopback" when the host treats a loopback request as admin. */
  method: string;
  antiforgeryToken?: string | null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Their 401s are answers (wrong password, not signed in yet, already gone), not an expired session.
const AUTH_PATHS = ['/api/auth/sign-in', '/api/auth/me', '/api/auth/sign-out'];

/**
 * The session's in-memory state, kept in this module because it is the one place every request goes through:
 * the antiforgery token (never in storage, so another tab or script cannot read it back) and who to tell when the
 * host answers 401 (an expired session).
 */
const session = {
  antiforgeryToken: null as string | null,
  onUnauthorized: null as (() => void) | null,
};

/** The shell registers what to do when any call answers 401 (show the sign-in page again). */
export function onSessionExpired(handler: (() => void) | null) {
  session.onUnauthorized = handler;
}

async function send(method: string, url: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method) && session.antiforgeryToken) headers['X-XSRF-TOKEN'] = session.antiforgeryToken;
  return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const isAntiforgeryProblem = (status: number, parsed: unknown) =>
  status === 400 && typeof parsed === 'object' && parsed !== null && /antiforgery/i.test(String((parsed as ProblemDetails).title ?? ''));

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  let response = await send(method, url, body);
  let parsed = await parse(response);

  // A token can go stale (the host's key ring rotated, another tab signed in again): fetch a fresh one once and retry.
  if (isAntiforgeryProblem(response.status, parsed)) {
    const fresh = await fetch('/api/auth/antiforgery', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (fresh.ok) {
      session.antiforgeryToken = ((await fresh.json()) as Me).antiforgeryToken ?? null;
      response = await send(method, url, body);
      parsed = await parse(response);
    } else if (fresh.status === 401) {
      // No session behind the stale token: answer as the expired session it is.
      response = fresh;
      parsed = await parse(fresh);
    }
  }

  if (!response.ok) {
    if (response.status === 401 && !AUTH_PATHS.includes(url)) {
      session.antiforgeryToken = null;
      session.onUnauthorized?.();
    }

    const problem: ProblemDetails = typeof parsed === 'object' && parsed !== null ? (parsed as ProblemDetails) : { title: String(parsed ?? response.statusText) };
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(response.status, { status: response.status, ...problem }, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }

  return parsed as T;
}

/** Sign-in, who am I, sign-out: each keeps the antiforgery token of the session in memory. */
export const auth = {
  me: async () => {
    const me = await request<Me>('GET', '/api/auth/me');
    session.antiforgeryToken = me.antiforgeryToken ?? null;
    return me;
  },
  signIn: async (username: string, password: string) => {
    const me = await request<Me>('POST', '/api/auth/sign-in', { username, password });
    session.antiforgeryToken = me.antiforgeryToken ?? null;
    return me;
  },
  signOut: async () => {
    try {
      await request<void>('POST', '/api/auth/sign-out');
    } finally {
      session.antiforgeryToken = null;
    }
  },
};

const enc = encodeURIComponent;

export const api = {
  blockTypes: () => request<BlockType[]>('GET', '/api/block-types'),
  flows: () => request<FlowSummary[]>('GET', '/api/flows'),
  flow: (id: string) => request<FlowDoc>('GET', `/api/flows/${enc(id)}`),
  saveFlow: (doc: FlowDoc) => request<FlowDoc>('PUT', `/api/flows/${enc(doc.id)}`, doc),
  validateFlow: (doc: FlowDoc) => request<ValidationAnswer>('POST', `/api/flows/${enc(doc.id)}/validate`, doc),
  deleteFlow: (id: string) => request<void>('DELETE', `/api/flows/${enc(id)}`),
  fields: () => request<FieldDefinition[]>('GET', '/api/fields'),
  saveField: (key: string, input: FieldInput) => request<FieldDefinition>('PUT', `/api/fields/${enc(key)}`, input),
  deleteField: (key: string) => request<void>('DELETE', `/api/fields/${enc(key)}`),
  secrets: () => request<SecretInfo[]>('GET', '/api/secrets'),
  setSecret: (name: string, value: string) => request<void>('PUT', `/api/secrets/${enc(name)}`, { value }),
  deleteSecret: (name: string) => request<void>('DELETE', `/api/secrets/${enc(name)}`),
  channels: () => request<ChannelInfo[]>('GET', '/api/channels'),
  channelTypes: () => request<ChannelType[]>('GET', '/api/channel-types'),
  saveChannel: (id: string, input: ChannelInput) => request<ChannelInfo>('PUT', `/api/channels/${enc(id)}`, input),
  deleteChannel: (id: string) => request<void>('DELETE', `/api/channels/${enc(id)}`),
  preview: (input: BlockRunInput) => request<PreviewAnswer>('POST', '/api/integrations/preview', input),
  test: (input: BlockRunInput) => request<TestAnswer>('POST', '/api/integrations/test', input),
  send: (flowId: string, contactId: string, input: MessageInput) =>
    request<MessageAnswer>('POST', `/api/flows/${enc(flowId)}/conversations/${enc(contactId)}/messages`, input),
  restart: (flowId: string, contactId: string) =>
    request<MessageAnswer>('POST', `/api/flows/${enc(flowId)}/conversations/${enc(contactId)}/restart`),
  contact: (id: string) => request<Contact>('GET', `/api/contacts/${enc(id)}`),
  executions: (filter: ExecutionFilter) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) {
      if (value !== undefined && value !== '') {
        query.set(key, String(value));
      }
    }

    return request<ExecutionRecord[]>('GET', `/api/executions?${query}`);
  },
};

/** A readable message for anything thrown by the client. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.summary;
  }

  return error instanceof Error ? error.message : String(error);
}
