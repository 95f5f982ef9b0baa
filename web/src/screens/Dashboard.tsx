// Each provider's state and reason, live from /v1/events; queue depth by
// status, intake and delivery rates, and charts of each provider's latency,
// success rate and traffic share over the last hour, read once from
// /v1/stats and kept current by its `stats` event every second (no polling).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { openEventStream, type StreamState } from '../api/events';
import { liveUrl } from '../api/live';
import type { ListOf, Provider, RoutingEvent, Stats, StatsEvent } from '../api/types';
import { ProviderCard } from '../components/ProviderCard';
import { Empty, ErrorBox, Loading } from '../components/states';
import { TimeChart } from '../components/TimeChart';
import { formatAgo, formatCount, formatLatencyTick, formatRate } from '../lib/format';
import { isLiveType, parseLive } from '../lib/live';
import { applyEvent, describeEvent, parseEvent } from '../lib/providers';
import {
  applyStats,
  emptyView,
  fromStats,
  latencyChart,
  PENDING_STATUSES,
  providerChart,
  providerNames,
  QUEUE_STATUSES,
  queueChart,
  RATE_SERIES,
  rateChart,
  recentShare,
  withTraffic,
  type StatsView,
} from '../lib/stats';
import { useSession } from '../session';

const RECENT_EVENTS = 30;
// The traffic split is drawn over the last minutes, not the hour.
const SHARE_SPAN_MS = 10 * 60_000;

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
  const [stats, setStats] = useState<StatsView>(emptyView);
  const [statsError, setStatsError] = useState<ApiError | null>(null);
  const [recent, setRecent] = useState<RoutingEvent[]>([]);
  const [live, setLive] = useState<StreamState>('connecting');
  const [streamError, setStreamError] = useState<Error | null>(null);
  const pending = useRef<RoutingEvent[]>([]);
  const pendingStats = useRef<StatsEvent[]>([]);
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
      } catch (e) {
        if (!stopped) setError(e as ApiError);
      }
    };
    // The hour so far; the `stats` events carry it on from there.
    const loadStats = async () => {
      try {
        const s = await api.get<Stats>('/v1/stats');
        if (stopped) return;
        setStats((v) => fromStats(s, v));
        setStatsError(null);
      } catch (e) {
        if (!stopped) setStatsError(e as ApiError);
      }
    };
    load();
    loadStats();

    // Events are applied once a frame, however many arrive: a node
    // delivering at full rate must not make the page fall behind.
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending.current;
      pending.current = [];
      // Each `stats` carries its bucket whole: the last of each bucket is enough.
      const stats = pendingStats.current;
      pendingStats.current = [];
      if (stats.length) setStats((v) => stats.reduce(applyStats, v));
      if (!batch.length) return;
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
      url: liveUrl(['stats']),
      key: () => key,
      onEvent: (m) => {
        const type = m.event ?? 'message';
        if (isLiveType(type)) {
          const live = parseLive(type, m.data);
          if (live?.type !== 'stats') return;
          const queue = pendingStats.current;
          if (queue.length && queue[queue.length - 1].bucket.start === live.bucket.start) queue.pop();
          queue.push(live);
          // A hidden page draws no frames: it keeps at most the window's buckets.
          if (queue.length > 400) queue.shift();
          if (!frame) frame = requestAnimationFrame(flush);
          return;
        }
        const e = parseEvent(type, m.data);
        if (!e) return;
        pending.current.push(e);
        if (!frame) frame = requestAnimationFrame(flush);
      },
      onState: (s, e) => {
        setLive(s);
        // Closed with a reason: the key was refused; the stream stopped.
        setStreamError(s === 'closed' && e ? e : null);
        if (s === 'open') {
          // What changed while disconnected (a restarted node starts its hour again).
          load();
          loadStats();
        }
      },
    });
    return () => {
      stopped = true;
      if (frame) cancelAnimationFrame(frame);
      stream.close();
    };
  }, [api, key]);

  const now = stats.queueSamples.length ? stats.queueSamples[stats.queueSamples.length - 1].t : Date.now();
  const names = providerNames(stats);
  const latency = latencyChart(stats, now, names);
  const shareNow = recentShare(stats, now, stats.bucketMs);
  const shareRecent = recentShare(stats, now, SHARE_SPAN_MS);
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
          {withTraffic(providers, stats, now).map((p) => (
            <ProviderCard key={p.name} provider={p} />
          ))}
        </ul>
      )}
      <h2>Queue and rates</h2>
      {statsError && <ErrorBox error={statsError} title="Cannot read the statistics" />}
      <dl class="tiles" aria-label="Queue depth by status">
        {QUEUE_STATUSES.map((status) => (
          <div key={status} class={PENDING_STATUSES.includes(status) ? 'tile pending' : 'tile'} data-status={status}>
            <dt>{status}</dt>
            <dd>{stats.queue ? formatCount(stats.queue[status] ?? 0) : '–'}</dd>
          </div>
        ))}
      </dl>
      <dl class="tiles" aria-label="Rates">
        <div class="tile" data-rate="accepted">
          <dt>Intake</dt>
          <dd>{stats.rates ? `${formatCount(stats.rates.accepted)}/s` : '–'}</dd>
        </div>
        <div class="tile" data-rate="sent">
          <dt>Delivered</dt>
          <dd>{stats.rates ? `${formatCount(stats.rates.sent)}/s` : '–'}</dd>
        </div>
        <div class="tile" data-rate="failed">
          <dt>Failed</dt>
          <dd>{stats.rates ? `${formatCount(stats.rates.failed)}/s` : '–'}</dd>
        </div>
      </dl>
      <div class="charts">
        <TimeChart title="Intake and delivery (messages/s)" names={RATE_SERIES} data={rateChart(stats, now)} format={formatCount} scale="from-zero" />
        <TimeChart title="Queue depth (since this page opened)" names={PENDING_STATUSES} data={queueChart(stats)} format={formatCount} scale="from-zero" />
      </div>
      <h2>Last hour</h2>
      <p class="muted small">
        This node's attempts in {stats.bucketMs / 1000} s buckets, kept in memory by the node (a restart starts again).
      </p>
      <div class="charts">
        <TimeChart title="Latency p50 / p95" names={latency.names} data={latency.data} format={formatLatencyTick} scale="from-zero" />
        <TimeChart
          title="Success rate"
          names={names}
          data={providerChart(stats, now, names, 'success_rate')}
          format={formatRate}
          scale="fraction"
        />
        <TimeChart
          title="Traffic share, last 10 minutes"
          names={names}
          data={providerChart(stats, now, names, 'share', SHARE_SPAN_MS)}
          format={formatRate}
          scale="fraction"
        />
      </div>
      {names.length === 0 ? (
        <Empty title="No attempts in the last hour">The charts fill as this node sends mail.</Empty>
      ) : (
        <table class="share" aria-label="Traffic share">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Now ({stats.bucketMs / 1000} s)</th>
              <th scope="col">Last 10 minutes</th>
            </tr>
          </thead>
          <tbody>
            {names.map((n) => (
              <tr key={n} data-share-provider={n}>
                <th scope="row">{n}</th>
                <td data-share-now={shareNow.find((s) => s.name === n)?.share ?? 0}>
                  {formatRate(shareNow.find((s) => s.name === n)?.share ?? 0)}
                </td>
                <td>{formatRate(shareRecent.find((s) => s.name === n)?.share ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Activity</h2>
      {recent.length === 0 ? (
        <Empty title="No routing events since this page opened" />
      ) : (
        <ol class="activity" aria-label="Routing events">
          {recent.map((e) => (
            <li key={e.id} data-event-id={e.id}>
              <time dateTime={e.at}>{formatAgo(e.at)}</time> {describeEvent(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
