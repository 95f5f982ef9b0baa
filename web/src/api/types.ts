// The shapes of the /v1 answers the UI reads (docs/openapi.yaml is the
// reference; only the fields the screens use are named).

// routing::ProviderState
export type ProviderState =
  | 'healthy'
  | 'half_open'
  | 'ejected'
  | 'unhealthy'
  | 'lapsed'
  | 'draining'
  | 'drained'
  | 'paused';

export interface Provider {
  name: string;
  type: string;
  pool: string;
  source: string;
  weight: number;
  priority: number;
  state: ProviderState;
  check: string | null;
  reason: string;
  since: string;
  admin: 'active' | 'draining' | 'paused';
  latency_ms: number;
  success_rate: number | null;
  in_flight: number;
  attempts_last_minute: number;
  share: number;
  probe?: { enabled: boolean; healthy: boolean; last_at: string | null; last_ok: boolean; detail: string; latency_ms: number };
  heartbeat?: { last_at: string | null; ttl_ms: number } | null;
  // How each node sharing the store sees it (GET answers only).
  nodes?: ProviderNode[];
}

export interface ProviderNode {
  node: string;
  state: string; // a ProviderState, or one a newer node knows
  reason: string;
  since: string;
  updated_at: string;
  stale: boolean;
  latency_ms: number;
  success_rate: number | null;
}

export interface RoutingView {
  strategy: string;
  strategies: string[];
  default_pool: string;
  pools: { name: string; providers: string[]; active: boolean }[];
}

// GET /v1/keys; the secret only in the answer to POST /v1/keys.
export interface ApiKey {
  name: string;
  scopes: string[];
  test_account: string | null;
  created_at?: string;
  secret?: string;
}

export interface ListOf<T> {
  data: T[];
}

// One block of /v1/events: `data:` is an object with id, type, at and the
// event's own fields.
export interface RoutingEvent {
  id: number;
  type: string;
  at: string;
  provider?: string;
  pool?: string;
  state?: ProviderState;
  previous?: ProviderState;
  check?: string | null;
  reason?: string;
  [field: string]: unknown;
}

// routing's message statuses (Status in docs/openapi.yaml).
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'deferred' | 'failed' | 'cancelled' | 'quarantined';

export interface MessageSummary {
  id: string;
  status: MessageStatus;
  created_at: string;
  updated_at: string;
  next_attempt_at: string | null;
  attempts: number;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  refused_recipients: string[];
  subject: string;
  tags: string[];
  size: number;
  provider: string | null;
  provider_message_id: string | null;
  last_error: string | null;
}

export interface MessageEvent {
  seq: number;
  at: string;
  type: string;
  status: MessageStatus;
  provider?: string;
  class?: string;
  code?: string;
  latency_ms?: number;
  detail?: string;
  recipient?: string;
}

export interface RecipientState {
  address: string;
  state: string;
  at: string | null;
  detail: string | null;
  provider: string | null;
}

export interface MessageDetail extends MessageSummary {
  events: MessageEvent[];
  recipients: RecipientState[];
}

export interface MessagePage {
  data: MessageSummary[];
  next_cursor: string | null;
}

// GET /v1/providers/{name} with what the edit form and the checks read.
export interface ProviderDetail extends Provider {
  settings: Record<string, string>; // credentials shown as "***"
  rate_limit: { rate: number; burst: number; tokens: number; paused_until: string | null } | null;
  max_concurrency: number | null;
  probe?: Provider['probe'] & { consecutive_failures?: number };
  outlier?: { phase: 'ok' | 'ejected' | 'half_open'; ejections: number; ejected_until: string | null; consecutive_failures: number };
}

// Fields a key may carry beyond ApiKey's, where the API gives them.
export interface ApiKeyExtras {
  expires_at?: string | null;
  last_used_at?: string | null;
}

// GET /v1/suppressions
export interface Suppression {
  address: string;
  reason: string;
  provider: string | null;
  message_id: string | null;
  detail: string;
  created_at: string;
}

export interface SuppressionPage {
  data: Suppression[];
  next_after: string | null;
}

// POST /v1/suppressions
export interface ImportResult {
  added: number;
  unchanged: number;
}

// GET /v1/webhook-endpoints; the secret only in the answer to POST.
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  created_at: string;
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  failing_since: string | null;
  secret?: string;
}

export interface WebhookDelivery {
  id: number;
  event_id: string;
  type: string;
  message_id: string;
  recipient: string | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  latency_ms: number | null;
}

export interface WebhookDeliveryPage {
  data: WebhookDelivery[];
  next_before: number | null;
}

// GET /v1/stats and the `stats` event of /v1/events (Stats in docs/openapi.yaml).
export interface ProviderTraffic {
  attempts: number;
  ok: number;
  success_rate: number | null;
  share: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

export interface TrafficBucket {
  start: string;
  accepted: number;
  sent: number;
  failed: number;
  deferred: number;
  attempts: number;
  providers: Record<string, ProviderTraffic>;
}

export type QueueDepth = Record<MessageStatus, number>;

export interface Rates {
  accepted: number;
  sent: number;
  failed: number;
  attempts: number;
}

export interface Stats {
  at: string;
  bucket_seconds: number;
  window_seconds: number;
  queue: QueueDepth;
  rates: Rates;
  history: TrafficBucket[];
}

// Live-only events of /v1/events (no id): the figures of the second, and
// batches of message status changes and of mail caught into test accounts.
export interface StatsEvent {
  type: 'stats';
  at: string;
  bucket_seconds: number;
  queue?: QueueDepth;
  rates: Rates;
  bucket: TrafficBucket;
}

export interface MessageStatusEvent {
  type: 'message_status';
  at: string;
  messages: { id: string; status: MessageStatus }[];
  left_out: number;
}

export interface InboxMailEvent {
  type: 'inbox_mail';
  at: string;
  accounts: Record<string, number>;
  left_out: number;
}
