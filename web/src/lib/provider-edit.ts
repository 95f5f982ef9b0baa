// Editing a provider in place: the form's fields from its current view,
// and PATCH /v1/providers/{name}'s body with only what changed. Settings
// are merged key by key by PATCH (null removes one), and the API shows
// credentials as "***": a masked value left as it is, is not sent, so the
// credential stays; typing a new one replaces it.
import type { ProviderDetail } from '../api/types';
import { parseKeyValueLines } from './keyvalue';

export const MASKED = '***';

export interface ProviderEdit {
  pool: string;
  weight: string;
  priority: string;
  rate_limit: string; // messages per second, '' or 0: no limit
  burst: string;
  max_concurrency: string; // '' or 0: no cap
  probe: boolean;
  settings: string; // key = value lines
}

export function editFormOf(p: ProviderDetail): ProviderEdit {
  return {
    pool: p.pool,
    weight: String(p.weight),
    priority: String(p.priority),
    rate_limit: p.rate_limit ? String(p.rate_limit.rate) : '',
    burst: p.rate_limit ? String(p.rate_limit.burst) : '',
    max_concurrency: p.max_concurrency ? String(p.max_concurrency) : '',
    probe: p.probe?.enabled ?? false,
    settings: Object.entries(p.settings ?? {})
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n'),
  };
}

type Built = { body?: Record<string, unknown>; error?: string; field?: string };

// A whole number of 0 or more, '' as `empty`; or undefined when it is not one.
function whole(text: string, empty: number): number | undefined {
  const t = text.trim();
  if (t === '') return empty;
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

export function providerEditBody(p: ProviderDetail, form: ProviderEdit): Built {
  const body: Record<string, unknown> = {};
  const before = editFormOf(p);
  if (form.pool.trim() !== before.pool) {
    if (!form.pool.trim()) return { error: 'A pool has a name.', field: 'pool' };
    body.pool = form.pool.trim();
  }
  for (const key of ['weight', 'priority', 'burst', 'max_concurrency'] as const) {
    if (form[key].trim() === before[key]) continue;
    const v = whole(form[key], 0);
    if (v === undefined) return { error: `${key.replace('_', ' ')} is a whole number of 0 or more.`, field: key };
    body[key] = v;
  }
  if (form.rate_limit.trim() !== before.rate_limit) {
    const rate = form.rate_limit.trim() === '' ? 0 : Number(form.rate_limit);
    if (!Number.isFinite(rate) || rate < 0) return { error: 'A rate limit is messages per second, 0 or more.', field: 'rate_limit' };
    body.rate_limit = rate;
  }
  if (form.probe !== before.probe) body.probe = form.probe;
  const settings = settingsPatch(p.settings ?? {}, form.settings);
  if (settings.error) return { error: settings.error, field: 'settings' };
  if (Object.keys(settings.value).length > 0) body.settings = settings.value;
  return { body };
}

// The settings keys to send: changed or new ones with their value, removed
// ones as null; a masked credential left as shown is not sent.
export function settingsPatch(current: Record<string, string>, text: string): { value: Record<string, string | null>; error?: string } {
  const edited = parseKeyValueLines(text);
  if (edited.error) return { value: {}, error: edited.error };
  const value: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(edited.value)) {
    if (current[k] === v) continue;
    if (v === MASKED && current[k] === MASKED) continue;
    value[k] = v;
  }
  for (const k of Object.keys(current)) if (!(k in edited.value)) value[k] = null;
  return { value };
}

export function hasChanges(built: Built): boolean {
  return !!built.body && Object.keys(built.body).length > 0;
}
