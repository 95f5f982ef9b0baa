import { describe, expect, it } from 'vitest';
import { Api, ApiError } from './client';

describe('Api.postText', () => {
  it('sends the text as it is with its media type and the key', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const api = new Api(
      () => 'k1',
      async (url, init) => {
        calls.push({ url: String(url), init: init! });
        return new Response('{"added":2,"unchanged":0}', { status: 201, headers: { 'Content-Type': 'application/json' } });
      },
    );
    expect(await api.postText('/v1/suppressions', 'address\na@example.org\n', 'text/csv')).toEqual({ added: 2, unchanged: 0 });
    expect(calls[0].init.body).toBe('address\na@example.org\n');
    expect(calls[0].init.headers).toMatchObject({ 'Content-Type': 'text/csv', Authorization: 'Bearer k1' });
  });

  it("turns a refusal into an ApiError naming the field", async () => {
    const api = new Api(
      () => null,
      async () => new Response('{"error":{"code":"invalid_value","message":"row 3 has 1 fields","field":"row 3"}}', { status: 422 }),
    );
    const e = await api.postText('/v1/suppressions', 'x', 'text/csv').catch((x: ApiError) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).field).toBe('row 3');
  });
});
