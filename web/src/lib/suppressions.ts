// The Suppressions screen's requests: a page of the list (searched by the
// start of the address), one address added by hand, and the checks made
// before asking (docs/events.md "Suppression list").
export const SUPPRESSION_PAGE = 50;

export const SUPPRESSION_REASONS = ['manual', 'bounced', 'complained', 'inactive'] as const;

export interface SuppressionQuery {
  prefix: string;
  after: string | null;
}

export function suppressionsPath(q: SuppressionQuery, limit = SUPPRESSION_PAGE): string {
  const p = new URLSearchParams();
  if (q.prefix.trim()) p.set('prefix', q.prefix.trim());
  if (q.after) p.set('after', q.after);
  p.set('limit', String(limit));
  return `/v1/suppressions?${p}`;
}

// The path of one entry: an address may hold '+', '/', '%' or '?'.
export function suppressionPath(address: string): string {
  return `/v1/suppressions/${encodeURIComponent(address)}`;
}

export interface NewSuppression {
  address: string;
  reason: string;
  detail: string;
}

// POST /v1/suppressions's body, or why it is not worth sending (the
// gateway checks the address fully and names the field).
export function newSuppressionBody(s: NewSuppression): { body?: Record<string, string>; error?: string; field?: string } {
  const address = s.address.trim();
  if (!address) return { error: 'Give an address.', field: 'address' };
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return { error: 'An address is local@domain.', field: 'address' };
  const body: Record<string, string> = { address, reason: s.reason || 'manual' };
  if (s.detail.trim()) body.detail = s.detail.trim();
  return { body };
}
