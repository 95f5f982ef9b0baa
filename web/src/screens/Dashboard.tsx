// Each provider's state and reason, live from /v1/events, and charts of
// their latency, success rate and traffic share over the last hour.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { openEventStream, type StreamState } from '../api/events';
import type { ListOf, Provider, RoutingEvent } from '../api/types';
import { ProviderCard } from '../components/ProviderCard';
import { Empty, ErrorBox, Loading } from '../components/states';
import { TimeChart } from '../components/TimeChart';
import { formatAgo, formatLatencyTick, formatRate } from '../lib/format';
import { applyEvent, describeEvent, parseEvent } from '../lib/providers';
import { addSample, chartData, sampleOf, seriesNames, type Sample } from '../lib/series';
import { useSession } from '../session';

// The figures behind the charts (latency, success rate, share) are not in
// the events: the list is read again this often while the page is open.
const SAMPLE_MS = 10_000;
const RECENT_EVENTS = 30;

const LIVE_LABEL: Record<StreamState, string> = {
  connecting: 'Connecting',
  open: 'Live',
  waiting: 'Reconnecting',
  closed: 'Offline',
};

export function Dashboard() {
  const { api, key } = useSession();
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [history, setHistory] = useState<Sample[]>([]);
  const [recent, setRecent] = useState<RoutingEvent[]>([]);
  const [live, setLive] = useState<StreamState>('connecting');
  const [streamError, setStreamError] = useState<Error | null>(null);
  const pending = useRef<RoutingEvent[]>([]);
  // The list as last shown, for applying events to it outside a render.
  const shown = useRef<Provider[] | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const list = (await api.get<ListOf<Provider>>('/v1/providers')).data;
        if (stopped) return;
        shown.current = list;
        setProviders(list);
        setError(null);
        setHistory((h) => addSample(h, sampleOf(list, Date.now())));
      } catch (e) {
        if (!stopped) setError(e as ApiError);
      }
    };
    load();
    const sampler = setInterval(() => document.visibilityState === 'visible' && load(), SAMPLE_MS);

    // Events are applied once a frame, however many arrive: a node
    // delivering at full rate must not make the page fall behind.
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending.current;
      pending.current = [];
      let refetch = false;
      let list = shown.current;
      for (const e of batch) {
        if (!list) break; // not read yet: the first read will be current
        const applied = applyEvent(list, e);
        list = applied.providers;
        refetch ||= applied.refetch;
      }
      if (list !== shown.current) {
        shown.current = list;
        setProviders(list);
      }
      setRecent((r) => [...[...batch].reverse(), ...r].slice(0, RECENT_EVENTS));
      if (refetch) load();
    };
    const stream = openEventStream({
      url: '/v1/events',
      key: () => key,
      onEvent: (m) => {
        const e = parseEvent(m.event ?? 'message', m.data);
        if (!e) return;
        pending.current.push(e);
        if (!frame) frame = requestAnimationFrame(flush);
      },
      onState: (s, e) => {
        setLive(s);
        // Closed with a reason: the key was refused; the stream stopped.
        setStreamError(s === 'closed' && e ? e : null);
        if (s === 'open') load(); // what changed while disconnected
      },
    });
    return () => {
      stopped = true;
      clearInterval(sampler);
      if (frame) cancelAnimationFrame(frame);
      stream.close();
    };
  }, [api, key]);

  const names = seriesNames(history);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Dashboard</h1>
        <span class={`live live-${live}`} role="status" aria-live="polite">
          {LIVE_LABEL[live]}
        </span>
      </div>
      {error && <ErrorBox error={error} title="Cannot read the providers" />}
      {streamError && <ErrorBox error={streamError as ApiError} title="Live updates stopped" />}
      <h2>Providers</h2>
      {providers === null && !error && <Loading what="Reading the providers" />}
      {providers !== null && providers.length === 0 && (
        <Empty title="No providers yet">Add one in the configuration file ([[providers]]) or with POST /v1/providers.</Empty>
      )}
      {providers !== null && providers.length > 0 && (
        <ul class="cards" aria-label="Providers">
          {providers.map((p) => (
            <ProviderCard key={p.name} provider={p} />
          ))}
        </ul>
      )}
      <h2>Last hour</h2>
      <p class="muted small">
        Sampled every {SAMPLE_MS / 1000} s while this page is open; the history starts when it opens.
      </p>
      <div class="charts">
        <TimeChart title="Latency" names={names} data={chartData(history, names, 'latency_ms')} format={formatLatencyTick} scale="from-zero" />
        <TimeChart
          title="Success rate"
          names={names}
          data={chartData(history, names, 'success_rate')}
          format={formatRate}
          scale="fraction"
        />
        <TimeChart title="Traffic share" names={names} data={chartData(history, names, 'share')} format={formatRate} scale="fraction" />
      </div>
      <h2>Activity</h2>
      {recent.length === 0 ? (
        <Empty title="No routing events since this page opened" />
      ) : (
        <ol class="activity" aria-label="Routing events">
          {recent.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{formatAgo(e.at)}</time> {describeEvent(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
