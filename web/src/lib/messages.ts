// The message log's filters as GET /v1/messages's query, and what a
// message's status allows (the store's rules, src/http/messages_api.cpp).
import type { MessageStatus } from '../api/types';
import type { Tone } from './format';

export const STATUSES: MessageStatus[] = ['queued', 'sending', 'sent', 'deferred', 'failed', 'cancelled', 'quarantined'];

export interface ListFilter {
  status: MessageStatus | '';
  provider: string; // of the last attempt, '' for any
  recipient: string; // an address, '' for any
  tag: string;
  since: string; // a datetime-local value, '' for none
  until: string;
  cursor: string | null;
}

export const NO_FILTER: ListFilter = { status: '', provider: '', recipient: '', tag: '', since: '', until: '', cursor: null };
export const PAGE_SIZE = 50;

// The text filters, as the API and the page's URL name them.
const TEXT_KEYS = ['provider', 'recipient', 'tag'] as const;

// datetime-local ("2026-12-07T03:15") is the browser's local time; the API
// takes RFC 3339.
function toRfc3339(local: string): string {
  return new Date(local).toISOString();
}

export function listQuery(f: ListFilter, limit = PAGE_SIZE): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  for (const k of TEXT_KEYS) if (f[k].trim()) q.set(k, f[k].trim());
  if (f.since) q.set('since', toRfc3339(f.since));
  if (f.until) q.set('until', toRfc3339(f.until));
  if (f.cursor) q.set('cursor', f.cursor);
  q.set('limit', String(limit));
  return `/v1/messages?${q}`;
}

// The search in the page's own URL (/messages?status=failed&tag=x...), so
// that a link reproduces it: times stay as the form shows them; anything
// unknown or malformed is dropped rather than sent on.
export function filterToSearch(f: ListFilter): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  for (const k of TEXT_KEYS) if (f[k].trim()) q.set(k, f[k].trim());
  if (f.since) q.set('since', f.since);
  if (f.until) q.set('until', f.until);
  if (f.cursor) q.set('cursor', f.cursor);
  const text = q.toString();
  return text ? `?${text}` : '';
}

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

export function filterFromSearch(search: string | URLSearchParams | Record<string, string>): ListFilter {
  const q = search instanceof URLSearchParams ? search : new URLSearchParams(search);
  const status = q.get('status') ?? '';
  const time = (k: string) => {
    const v = q.get(k) ?? '';
    return LOCAL_TIME.test(v) ? v : '';
  };
  return {
    status: (STATUSES as string[]).includes(status) ? (status as MessageStatus) : '',
    provider: q.get('provider') ?? '',
    recipient: q.get('recipient') ?? '',
    tag: q.get('tag') ?? '',
    since: time('since'),
    until: time('until'),
    cursor: q.get('cursor') || null,
  };
}

export function isFiltered(f: ListFilter): boolean {
  return Boolean(f.status || f.provider || f.recipient || f.tag || f.since || f.until);
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
