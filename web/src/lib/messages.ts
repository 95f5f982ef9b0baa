// The message log's filters as GET /v1/messages's query, and what a
// message's status allows (the store's rules, src/http/messages_api.cpp).
import type { MessageStatus } from '../api/types';
import type { Tone } from './format';

export const STATUSES: MessageStatus[] = ['queued', 'sending', 'sent', 'deferred', 'failed', 'cancelled', 'quarantined'];

export interface ListFilter {
  status: MessageStatus | '';
  since: string; // a datetime-local value, '' for none
  until: string;
  cursor: string | null;
}

export const NO_FILTER: ListFilter = { status: '', since: '', until: '', cursor: null };
export const PAGE_SIZE = 50;

// datetime-local ("2026-12-07T03:15") is the browser's local time; the API
// takes RFC 3339.
function toRfc3339(local: string): string {
  return new Date(local).toISOString();
}

export function listQuery(f: ListFilter, limit = PAGE_SIZE): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.since) q.set('since', toRfc3339(f.since));
  if (f.until) q.set('until', toRfc3339(f.until));
  if (f.cursor) q.set('cursor', f.cursor);
  q.set('limit', String(limit));
  return `/v1/messages?${q}`;
}

export function canCancel(status: MessageStatus): boolean {
  return status === 'queued' || status === 'deferred' || status === 'quarantined';
}

export function canRetry(status: MessageStatus, refused: readonly string[] = []): boolean {
  return ['failed', 'deferred', 'cancelled', 'quarantined'].includes(status) || (status === 'sent' && refused.length > 0);
}

export function statusTone(status: MessageStatus): Tone {
  if (status === 'sent') return 'ok';
  if (status === 'failed' || status === 'quarantined') return 'bad';
  if (status === 'deferred') return 'warn';
  return 'idle';
}
