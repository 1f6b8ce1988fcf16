// Every payload the editor exchanges with the host, in one place (shapes from host/BotFlow.Host/*Api.cs and docs/integrations.md).

/** A problem the host reports: the block it is in, a JSON path inside the block, and what is wrong. */
export interface FlowError {
  blockId: string | null;
  path: string;
  message: string;
}

/** RFC 7807 ProblemDetails as the host writes it. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FlowError[];
  warnings?: FlowError[];
}

export interface FlowSummary {
  id: string;
  name: string;
  version: number;
  updatedAt: string;
}

/** Where the editor keeps a block's position; the host stores unknown block properties as they are. */
export interface BlockUi {
  x: number;
  y: number;
}

export interface BlockDoc {
  id: string;
  type: string;
  config?: Record<string, unknown>;
  next?: string | null;
  exits?: Record<string, string | null>;
  ui?: BlockUi;
  [extra: string]: unknown;
}

export interface FlowDoc {
  id: string;
  name: string;
  start?: string | null;
  blocks: BlockDoc[];
  [extra: string]: unknown;
}

export interface ValidationAnswer {
  valid: boolean;
  errors: FlowError[];
  warnings: FlowError[];
}

/** The subset of JSON Schema the host's ConfigSchemaGenerator writes. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
}

export interface BlockType {
  type: string;
  plugin: string;
  version: string;
  displayName: string;
  description?: string | null;
  category?: string | null;
  exits: string[];
  dynamicExits: boolean;
  configSchema?: JsonSchema | null;
}

export interface FieldDefinition {
  key: string;
  label: string;
  type: string;
  options?: string[] | null;
  builtIn?: boolean;
}

export interface FieldInput {
  label: string;
  type: string;
  options?: string[];
}

export interface SecretInfo {
  name: string;
  updatedAt: string;
}

// Integration block config (plugins/BotFlow.Plugins.Integration/IntegrationConfig.cs).
export interface KeyValueRow {
  key: string;
  value?: string;
}

export type BodyValueType = 'string' | 'number' | 'boolean' | 'null' | 'json';

export interface BodyRow {
  key: string;
  value?: string;
  field?: string;
  type?: BodyValueType;
}

export interface SaveRow {
  field?: string;
  var?: string;
  path: string;
}

export interface AuthConfig {
  type: string;
  token?: string;
  username?: string;
  password?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

export interface RetryConfig {
  inlineAttempts?: number;
  backgroundAttempts?: number;
  backoffSeconds?: number[];
}

export interface IntegrationConfig {
  method: string;
  url: string;
  query?: KeyValueRow[];
  headers?: KeyValueRow[];
  body?: BodyRow[];
  bodyTemplate?: string;
  auth?: AuthConfig;
  timeoutSeconds?: number;
  successStatus?: string;
  save?: SaveRow[];
  script?: string;
  message?: string;
  retry?: RetryConfig;
  runInBackground?: boolean;
  [extra: string]: unknown;
}

export interface BlockRunInput {
  config: Record<string, unknown>;
  fields: Record<string, string>;
  vars?: Record<string, unknown>;
}

/** POST /api/integrations/preview; errors are "config.body[2].key: message" strings. */
export interface PreviewAnswer {
  method: string | null;
  url: string | null;
  headers: Record<string, string>;
  body: unknown;
  errors: string[];
  warnings: string[];
}

export interface TestResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  elapsedMs: number;
  error: string | null;
}

/** POST /api/integrations/test. */
export interface TestAnswer {
  executionId: string;
  request: { method: string; url: string; headers: Record<string, string>; body: unknown };
  response: TestResponse;
  outcome: 'success' | 'failure';
  message: string | null;
  saved: { fields: Record<string, unknown>; vars: Record<string, unknown> };
  scriptLog: string[];
  warnings: string[];
  errors: string[];
}

export interface MessageInput {
  text: string;
  fields?: Record<string, string>;
}

export interface MessageAnswer {
  replies: { text: string }[];
  status: string;
  blockId: string | null;
  department: string | null;
  conversationId: string;
  errors: string[] | null;
}

export interface Contact {
  id: string;
  fields: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface ExecutionRecord {
  id: string;
  kind: string;
  attempt?: number;
  flowId?: string | null;
  flowVersion?: number | null;
  blockId?: string | null;
  contactId?: string | null;
  jobId?: string | null;
  outcome: string;
  error?: string | null;
  startedAt: string;
  durationMs: number;
  warnings?: string[];
  request?: Record<string, unknown> | null;
  response?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  executionId?: string;
}

export interface ExecutionFilter {
  flowId?: string;
  contactId?: string;
  outcome?: string;
  limit?: number;
}

// Channels (host/BotFlow.Host/Channels/ChannelsApi.cs, docs/channels.md).

/** One setting a channel type asks for; a secret one holds the NAME of a secret, never its value. */
export interface ChannelSettingDefinition {
  name: string;
  description: string;
  required: boolean;
  secret: boolean;
}

/** `GET /api/channel-types`: a channel type a loaded plugin provides. */
export interface ChannelType {
  type: string;
  plugin: string;
  version: string;
  displayName: string;
  settings: ChannelSettingDefinition[];
}

/** `GET /api/channels`: a configured channel, the URL its provider calls and its outbox counts. */
export interface ChannelInfo {
  id: string;
  type: string;
  flowId: string;
  settings: Record<string, string>;
  webhookUrl: string;
  pending: number;
  failed: number;
  updatedAt: string;
}

/** `PUT /api/channels/{id}` body. */
export interface ChannelInput {
  type: string;
  flowId: string;
  settings: Record<string, string>;
}
