// The API key for this browser session only (sessionStorage: gone when the
// tab closes), and the check that decides whether the UI may open: the
// API itself, asked with the key, or with none (a node without keys lets
// loopback callers in, as the API does).
import { Api, ApiError } from './api/client';

const STORAGE_KEY = 'postern.apiKey';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(STORAGE_KEY, key);
  else sessionStorage.removeItem(STORAGE_KEY);
}

export type Access = { ok: true } | { ok: false; error: ApiError };

// GET /v1/providers needs the read scope, the least any screen needs.
export async function checkAccess(key: string | null, fetchImpl?: typeof fetch): Promise<Access> {
  try {
    await new Api(() => key, fetchImpl).get('/v1/providers');
    return { ok: true };
  } catch (e) {
    const error = e as ApiError;
    // Routing off on this node: the key was still accepted.
    if (error.status === 503) return { ok: true };
    return { ok: false, error };
  }
}

// What to tell the person signing in.
export function accessMessage(error: ApiError, triedKey: boolean): string {
  if (error.unreachable) return 'The gateway did not answer. Is it running?';
  if (error.code === 'invalid_api_key') return 'That API key is not valid.';
  if (error.code === 'missing_api_key') return triedKey ? 'Enter an API key.' : 'This gateway needs an API key.';
  if (error.code === 'insufficient_scope') return 'That key lacks the read scope the UI needs.';
  return error.message;
}
