// The Webhooks screen's rules: the event types an endpoint subscribes to
// (docs/events.md "Event types"), a new endpoint's body, how an endpoint's
// state and a delivery read, and the delivery log's pages.
import type { WebhookDelivery, WebhookEndpoint } from '../api/types';
import { formatAgo, type Tone } from './format';

export const WEBHOOK_EVENT_TYPES = [
  { type: 'message.accepted', help: 'taken in and queued' },
  { type: 'message.sent', help: 'a provider took it' },
  { type: 'message.deferred', help: 'an attempt failed; a retry is due' },
  { type: 'message.failed', help: 'failed for good' },
  { type: 'message.cancelled', help: 'cancelled through the API' },
  { type: 'message.retried', help: 'queued again by a retry' },
  { type: 'recipient.suppressed', help: 'left out: on the suppression list' },
  { type: 'recipient.delivered', help: 'the provider reported delivery' },
  { type: 'recipient.bounced', help: 'a hard bounce' },
  { type: 'recipient.soft_bounced', help: 'a temporary bounce' },
  { type: 'recipient.complained', help: 'marked as spam' },
  { type: 'recipient.deferred', help: 'the provider is still trying' },
] as const;

export const DELIVERY_PAGE = 20;

// POST /v1/webhook-endpoints's body; no type ticked means every type.
export function newEndpointBody(url: string, events: readonly string[]): { body?: { url: string; events: string[] }; error?: string; field?: string } {
  const u = url.trim();
  if (!u) return { error: 'Give the URL your application listens on.', field: 'url' };
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return { error: 'The URL must be absolute: http://host/path or https://host/path.', field: 'url' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { error: 'The URL must use http or https.', field: 'url' };
  const order = WEBHOOK_EVENT_TYPES.map((t) => t.type as string);
  const picked = order.filter((t) => events.includes(t));
  return { body: { url: u, events: picked } };
}

export function subscribedLabel(e: Pick<WebhookEndpoint, 'events'>): string {
  return e.events.length === 0 ? 'every type' : e.events.join(', ');
}

export function endpointState(e: WebhookEndpoint): { label: string; tone: Tone; detail: string } {
  if (!e.enabled) return { label: 'Disabled', tone: 'bad', detail: e.disabled_reason ?? '' };
  if (e.failing_since) return { label: 'Failing', tone: 'warn', detail: `failing since ${formatAgo(e.failing_since)}` };
  return { label: 'Enabled', tone: 'ok', detail: '' };
}

export function deliveryTone(d: Pick<WebhookDelivery, 'state'>): Tone {
  return d.state === 'delivered' ? 'ok' : d.state === 'failed' ? 'bad' : 'warn';
}

// What the last attempt got: "200", "503: timeout", "connection_refused: ...".
export function lastOutcome(d: Pick<WebhookDelivery, 'attempts' | 'last_status' | 'last_error'>): string {
  if (d.attempts === 0) return 'not tried yet';
  const parts = [d.last_status !== null ? String(d.last_status) : '', d.last_error ?? ''].filter(Boolean);
  return parts.join(': ') || 'no answer';
}

export function deliveriesPath(endpointId: string, before: number | null, limit = DELIVERY_PAGE): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (before !== null) q.set('before', String(before));
  return `/v1/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries?${q}`;
}
