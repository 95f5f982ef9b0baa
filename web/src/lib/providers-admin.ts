// What the Providers screen sends: a new provider's body for
// POST /v1/providers, and which operator actions a provider's admin
// state allows (drain, pause, resume: routing::AdminState).
import type { Provider } from '../api/types';
import { parseKeyValueLines } from './keyvalue';

export const PROVIDER_TYPES = ['smtp', 'mailgun', 'sendgrid', 'ses', 'postmark'] as const;

export interface NewProvider {
  name: string;
  type: string;
  pool: string;
  weight: string;
  settings: string; // key=value lines: the type's own settings
}

export function newProviderBody(p: NewProvider): { body?: Record<string, unknown>; error?: string; field?: string } {
  if (!p.name.trim()) return { error: 'Give the provider a name.', field: 'name' };
  const settings = parseKeyValueLines(p.settings);
  if (settings.error) return { error: settings.error, field: 'settings' };
  const body: Record<string, unknown> = { name: p.name.trim(), type: p.type, settings: settings.value };
  if (p.pool.trim()) body.pool = p.pool.trim();
  if (p.weight.trim()) {
    const w = Number(p.weight);
    if (!Number.isFinite(w) || w < 0) return { error: 'A weight is a number of 0 or more.', field: 'weight' };
    body.weight = w;
  }
  return { body };
}

export type AdminAction = 'drain' | 'pause' | 'resume';

export function adminActions(p: Pick<Provider, 'admin'>): AdminAction[] {
  return p.admin === 'active' ? ['drain', 'pause'] : ['resume'];
}
