// A client of /v1/events (server-sent events). EventSource cannot send an
// Authorization header, so this reads the stream with fetch and parses it
// with eventsource-parser; it reconnects after the server's `retry:` delay
// (or a drop) with Last-Event-ID, so the server replays what was missed.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { authHeaders, errorFrom, type ApiError, type KeySource } from './client';

export type StreamState = 'connecting' | 'open' | 'waiting' | 'closed';

export interface EventStreamOptions {
  url: string;
  key: KeySource;
  onEvent: (message: EventSourceMessage) => void;
  onState?: (state: StreamState, error?: ApiError | Error) => void;
  // The delay before reconnecting until the server sends `retry:`.
  retryMs?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface EventStream {
  close(): void;
  lastEventId(): string | null;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// An answer that reconnecting will not change: the key is wrong or lacks
// the scope. The caller is told and the stream stops.
function isFinal(status: number): boolean {
  return status === 401 || status === 403 || status === 404;
}

export function openEventStream(options: EventStreamOptions): EventStream {
  const fetchImpl = options.fetchImpl ?? ((...args) => fetch(...args));
  const sleep = options.sleep ?? abortableSleep;
  const controller = new AbortController();
  let lastId: string | null = null;
  let retryMs = options.retryMs ?? 3000;
  const state = (s: StreamState, e?: ApiError | Error) => options.onState?.(s, e);

  const parser = createParser({
    onEvent(message) {
      if (message.id) lastId = message.id;
      options.onEvent(message);
    },
    onRetry(ms) {
      retryMs = ms;
    },
  });

  async function readOnce(): Promise<'again' | 'stop'> {
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders(options.key()) };
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    state('connecting');
    const response = await fetchImpl(options.url, { headers, signal: controller.signal });
    if (!response.ok || !response.body) {
      const error = await errorFrom(response);
      state(isFinal(response.status) ? 'closed' : 'waiting', error);
      return isFinal(response.status) ? 'stop' : 'again';
    }
    state('open');
    parser.reset();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    state('waiting');
    return 'again';
  }

  (async () => {
    while (!controller.signal.aborted) {
      try {
        if ((await readOnce()) === 'stop') return;
      } catch (e) {
        if (controller.signal.aborted) break;
        state('waiting', e as Error);
      }
      await sleep(retryMs, controller.signal);
    }
    state('closed');
  })();

  return {
    close: () => controller.abort(),
    lastEventId: () => lastId,
  };
}
