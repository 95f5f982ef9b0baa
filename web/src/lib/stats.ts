// The dashboard's figures (GET /v1/stats, then a `stats` event every
// second) shaped for its charts: the node's buckets over the last hour,
// each live event replacing the bucket it carries (the current one grows
// until the next begins), and uPlot columns with one x per bucket of the
// window, so that a quiet stretch shows as zero traffic rather than as a
// line drawn across it.
import type { MessageStatus, Provider, QueueDepth, Rates, Stats, StatsEvent, TrafficBucket } from '../api/types';
import type { ChartData } from './series';

export interface StatsView {
  bucketMs: number;
  windowMs: number;
  buckets: TrafficBucket[]; // oldest first, unique starts, within the window
  queue: QueueDepth | null;
  rates: Rates | null;
  // Queue depth as seen by this page (the node keeps no history of it).
  queueSamples: { t: number; queue: QueueDepth }[];
}

export const QUEUE_STATUSES: MessageStatus[] = ['queued', 'sending', 'deferred', 'sent', 'failed', 'cancelled', 'quarantined'];
// Statuses still in the pipeline: the queue depth chart draws these.
export const PENDING_STATUSES: MessageStatus[] = ['queued', 'sending', 'deferred'];

const startOf = (b: TrafficBucket) => Date.parse(b.start);

export function emptyView(): StatsView {
  return { bucketMs: 10_000, windowMs: 3600_000, buckets: [], queue: null, rates: null, queueSamples: [] };
}

export function fromStats(s: Stats, previous: StatsView = emptyView()): StatsView {
  const t = Date.parse(s.at);
  const view: StatsView = {
    bucketMs: s.bucket_seconds * 1000,
    windowMs: s.window_seconds * 1000,
    buckets: [...s.history].sort((a, b) => startOf(a) - startOf(b)),
    queue: s.queue,
    rates: s.rates,
    queueSamples: previous.queueSamples,
  };
  return withQueueSample(view, t, s.queue);
}

function withQueueSample(view: StatsView, t: number, queue: QueueDepth | undefined): StatsView {
  if (!queue) return view;
  const from = t - view.windowMs;
  const kept = view.queueSamples.filter((s) => s.t >= from && s.t < t);
  kept.push({ t, queue });
  return { ...view, queueSamples: kept };
}

// The view with the event's bucket put in its place; a new object (the
// old one is left as it was).
export function applyStats(view: StatsView, e: StatsEvent): StatsView {
  const start = startOf(e.bucket);
  const from = start - view.windowMs + view.bucketMs;
  const buckets = view.buckets.filter((b) => startOf(b) >= from && startOf(b) !== start);
  buckets.push(e.bucket);
  buckets.sort((a, b) => startOf(a) - startOf(b));
  const next: StatsView = {
    ...view,
    bucketMs: e.bucket_seconds ? e.bucket_seconds * 1000 : view.bucketMs,
    buckets,
    rates: e.rates,
    queue: e.queue ?? view.queue,
  };
  return withQueueSample(next, Date.parse(e.at), e.queue);
}

// Every bucket start of the last `spanMs` up to the one holding `now`.
export function timeline(view: StatsView, now: number, spanMs = view.windowMs): number[] {
  const last = now - (((now % view.bucketMs) + view.bucketMs) % view.bucketMs);
  const count = Math.max(1, Math.round(spanMs / view.bucketMs));
  const out: number[] = [];
  for (let i = count - 1; i >= 0; --i) out.push(last - i * view.bucketMs);
  return out;
}

function byStart(view: StatsView): Map<number, TrafficBucket> {
  return new Map(view.buckets.map((b) => [startOf(b), b]));
}

// Every provider seen in the view, in a stable order.
export function providerNames(view: StatsView): string[] {
  const names = new Set<string>();
  for (const b of view.buckets) for (const n of Object.keys(b.providers)) names.add(n);
  return [...names].sort();
}

export const RATE_SERIES = ['accepted/s', 'sent/s', 'failed/s'];

// Intake and delivery rates per bucket (messages per second, averaged over
// the bucket); zero where nothing happened.
export function rateChart(view: StatsView, now: number): ChartData {
  const xs = timeline(view, now);
  const buckets = byStart(view);
  const per = (pick: (b: TrafficBucket) => number) =>
    xs.map((x) => {
      const b = buckets.get(x);
      return b ? pick(b) / (view.bucketMs / 1000) : 0;
    });
  return [xs.map((x) => x / 1000), per((b) => b.accepted), per((b) => b.sent), per((b) => b.failed)];
}

export type ProviderMetric = 'latency_p50_ms' | 'latency_p95_ms' | 'success_rate' | 'share';

// One column per name: the provider's figure in each bucket; null where it
// made no attempt (a share is 0 there when others did).
export function providerChart(
  view: StatsView,
  now: number,
  names: readonly string[],
  metric: ProviderMetric,
  spanMs = view.windowMs,
): ChartData {
  const xs = timeline(view, now, spanMs);
  const buckets = byStart(view);
  const ys = names.map((n) =>
    xs.map((x) => {
      const b = buckets.get(x);
      if (!b) return null;
      const p = b.providers[n];
      if (!p) return metric === 'share' && b.attempts > 0 ? 0 : null;
      return p[metric];
    }),
  );
  return [xs.map((x) => x / 1000), ...ys];
}

// p50 and p95 of each provider in one chart: names "<provider> p50", "<provider> p95".
export function latencyChart(view: StatsView, now: number, names: readonly string[]): { names: string[]; data: ChartData } {
  const p50 = providerChart(view, now, names, 'latency_p50_ms');
  const p95 = providerChart(view, now, names, 'latency_p95_ms');
  const series: string[] = [];
  const data: ChartData = [p50[0]];
  names.forEach((n, i) => {
    series.push(`${n} p50`, `${n} p95`);
    data.push(p50[i + 1], p95[i + 1]);
  });
  return { names: series, data };
}

// The queue depth of the statuses still in the pipeline, as sampled.
export function queueChart(view: StatsView): ChartData {
  return [
    view.queueSamples.map((s) => s.t / 1000),
    ...PENDING_STATUSES.map((status) => view.queueSamples.map((s) => s.queue[status] ?? 0)),
  ];
}

// Each provider's share of the attempts over the last `spanMs`, for the
// traffic split at a glance (providers that made no attempt are left out).
export function recentShare(view: StatsView, now: number, spanMs: number): { name: string; share: number }[] {
  const from = timeline(view, now, spanMs)[0];
  const attempts = new Map<string, number>();
  let total = 0;
  for (const b of view.buckets) {
    if (startOf(b) < from) continue;
    for (const [n, p] of Object.entries(b.providers)) {
      attempts.set(n, (attempts.get(n) ?? 0) + p.attempts);
      total += p.attempts;
    }
  }
  return [...attempts.entries()]
    .filter(([, n]) => n > 0)
    .map(([name, n]) => ({ name, share: n / total }))
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
}

// The providers as read from /v1/providers, with their figures taken from
// the live buckets once there are some (the list itself is read again only
// when routing changes): latency and success of the current bucket, share
// and attempts over the last minute.
export function withTraffic(providers: Provider[], view: StatsView, now: number): Provider[] {
  if (!view.buckets.length) return providers;
  const from = timeline(view, now, 60_000)[0];
  const current = byStart(view).get(timeline(view, now, view.bucketMs)[0]);
  const share = new Map(recentShare(view, now, 60_000).map((s) => [s.name, s.share]));
  return providers.map((p) => {
    let attempts = 0;
    for (const b of view.buckets) if (startOf(b) >= from) attempts += b.providers[p.name]?.attempts ?? 0;
    const mine = current?.providers[p.name];
    return {
      ...p,
      latency_ms: mine?.latency_p50_ms ?? p.latency_ms,
      success_rate: mine ? mine.success_rate : p.success_rate,
      share: share.get(p.name) ?? 0,
      attempts_last_minute: attempts,
    };
  });
}
