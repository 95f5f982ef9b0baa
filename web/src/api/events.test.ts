import { describe, expect, it } from 'vitest';
import { openEventStream, type StreamState } from './events';

// A fetch that answers each call with the next scripted response and
// records the headers it was sent.
function scriptedFetch(answers: Array<() => Response>) {
  const calls: Array<Record<string, string>> = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const impl = (async (_url: string, init?: RequestInit) => {
    calls.push({ ...(init?.headers as Record<string, string>) });
    const next = answers.shift();
    if (!next) {
      done();
      // Hang until aborted, as a quiet stream would.
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    return next();
  }) as typeof fetch;
  return { impl, calls, finished };
}

function stream(text: string): Response {
  return new Response(
    new ReadableStream({
      start(c) {
        // In two pieces, cut inside a block, as the network may.
        const cut = Math.floor(text.length / 2);
        c.enqueue(new TextEncoder().encode(text.slice(0, cut)));
        c.enqueue(new TextEncoder().encode(text.slice(cut)));
        c.close();
      },
    }),
    { status: 200, headers: { 'Content-Type': 'text/event-stream' } },
  );
}

const noWait = async () => {};

describe('openEventStream', () => {
  it('reconnects with Last-Event-ID after the stream ends, and keeps the key', async () => {
    const { impl, calls, finished } = scriptedFetch([
      () => stream('retry: 10\n: connected\n\nid: 41\nevent: provider_state\ndata: {"id":41}\n\nid: 42\nevent: pool_available\ndata: {"id":42}\n\n'),
      () => new Response('{"error":{"code":"unavailable","message":"restarting"}}', { status: 503 }),
      () => stream('id: 43\nevent: provider_added\ndata: {"id":43}\n\n'),
    ]);
    const seen: string[] = [];
    const waits: number[] = [];
    const s = openEventStream({
      url: '/v1/events',
      key: () => 'k1',
      fetchImpl: impl,
      onEvent: (m) => seen.push(`${m.id}:${m.event}`),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await finished;
    s.close();
    expect(seen).toEqual(['41:provider_state', '42:pool_available', '43:provider_added']);
    expect(calls.map((h) => h['Last-Event-ID'])).toEqual([undefined, '42', '42', '43']);
    expect(calls.every((h) => h.Authorization === 'Bearer k1')).toBe(true);
    expect(waits).toEqual([10, 10, 10]); // the server's retry: delay
    expect(s.lastEventId()).toBe('43');
  });

  it('stops and says why when the key is refused', async () => {
    const { impl, calls } = scriptedFetch([
      () => new Response('{"error":{"code":"invalid_api_key","message":"the API key is not valid"}}', { status: 401 }),
    ]);
    const states: Array<[StreamState, string | undefined]> = [];
    await new Promise<void>((resolve) => {
      openEventStream({
        url: '/v1/events',
        key: () => 'bad',
        fetchImpl: impl,
        onEvent: () => {},
        sleep: noWait,
        onState: (st, e) => {
          states.push([st, e?.message]);
          if (st === 'closed') resolve();
        },
      });
    });
    expect(calls).toHaveLength(1);
    expect(states).toEqual([
      ['connecting', undefined],
      ['closed', 'the API key is not valid'],
    ]);
  });

  it('keeps trying when the gateway cannot be reached', async () => {
    let failures = 0;
    const { impl: tail, finished } = scriptedFetch([]);
    const impl = ((url: string, init?: RequestInit) => {
      if (failures++ < 2) return Promise.reject(new TypeError('Failed to fetch'));
      return tail(url, init);
    }) as typeof fetch;
    const states: StreamState[] = [];
    const s = openEventStream({ url: '/v1/events', key: () => null, fetchImpl: impl, onEvent: () => {}, sleep: noWait, onState: (st) => states.push(st) });
    await finished;
    s.close();
    expect(states.filter((st) => st === 'waiting')).toHaveLength(2);
  });
});
