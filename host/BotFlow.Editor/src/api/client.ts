// A small typed client over fetch: every non-2xx answer becomes an ApiError carrying the host's ProblemDetails.
import type {
  BlockRunInput, BlockType, Contact, ExecutionFilter, ExecutionRecord, FieldDefinition, FieldInput, FlowDoc, FlowError,
  FlowSummary, MessageAnswer, MessageInput, PreviewAnswer, ProblemDetails, SecretInfo, TestAnswer, ValidationAnswer,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  constructor(status: number, problem: ProblemDetails) {
    super(problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
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

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }

  if (!response.ok) {
    const problem: ProblemDetails = typeof parsed === 'object' && parsed !== null ? (parsed as ProblemDetails) : { title: String(parsed ?? response.statusText) };
    throw new ApiError(response.status, { status: response.status, ...problem });
  }

  return parsed as T;
}

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
