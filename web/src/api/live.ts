// A screen's subscription to the live-only events of /v1/events (message
// status changes, caught mail: lib/live.ts): one stream while the screen
// wants it, the handler called per event, `onOpen` at each (re)connect so
// the screen reads again what it may have missed while away. Returns the
// stream's state: 'closed' means the key may not read events (a send-only
// key) and the screen falls back to reading on its own.
import { useEffect, useRef, useState } from 'preact/hooks';
import { parseLive, type LiveEvent } from '../lib/live';
import { useSession } from '../session';
import { openEventStream, type StreamState } from './events';

// /v1/events with the live-only types asked for (the routing events come too).
export function liveUrl(types: readonly string[]): string {
  return types.length ? `/v1/events?live=${types.join(',')}` : '/v1/events';
}

export function useLiveEvents(
  types: LiveEvent['type'][],
  enabled: boolean,
  onEvent: (e: LiveEvent) => void,
  onOpen?: () => void,
): StreamState {
  const { key } = useSession();
  const [state, setState] = useState<StreamState>('connecting');
  // The latest handlers, without opening a new stream when they change.
  const handlers = useRef({ onEvent, onOpen });
  handlers.current = { onEvent, onOpen };

  useEffect(() => {
    if (!enabled) return;
    let opened = false;
    let ended = false; // the closing of this stream is not news
    setState('connecting');
    const stream = openEventStream({
      url: liveUrl(types),
      key: () => key,
      onEvent: (m) => {
        const e = parseLive(m.event ?? '', m.data);
        if (e) handlers.current.onEvent(e);
      },
      onState: (s) => {
        if (ended) return;
        setState(s);
        // The first open needs no re-read: the screen has just read.
        if (s === 'open' && opened) handlers.current.onOpen?.();
        if (s === 'open') opened = true;
      },
    });
    return () => {
      ended = true;
      stream.close();
    };
  }, [enabled, key, types.join(',')]);

  return state;
}
