import { describe, expect, it } from 'vitest';
import { ApiError } from './api/client';
import { accessMessage, checkAccess } from './auth';

const answer = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('checkAccess', () => {
  it('lets in a key the API accepts', async () => {
    expect(await checkAccess('good', answer(200, { data: [] }))).toEqual({ ok: true });
  });
  it('refuses a key the API refuses, with its error', async () => {
    const r = await checkAccess('bad', answer(401, { error: { code: 'invalid_api_key', message: 'the API key is not valid', field: 'Authorization' } }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_api_key');
      expect(accessMessage(r.error, true)).toBe('That API key is not valid.');
    }
  });
  it('says when the gateway is not there', async () => {
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const r = await checkAccess(null, down);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(accessMessage(r.error, false)).toBe('The gateway did not answer. Is it running?');
  });
  it('explains a key without the read scope', () => {
    expect(accessMessage(new ApiError(403, 'insufficient_scope', 'x'), true)).toBe('That key lacks the read scope the UI needs.');
  });
});
