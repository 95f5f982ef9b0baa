import { describe, expect, it } from 'vitest';
import type { Provider, Stats, StatsEvent, TrafficBucket } from '../api/types';
import { applyStats, fromStats, latencyChart, providerChart, providerNames, queueChart, rateChart, recentShare, timeline, withTraffic } from './stats';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const queue = (queued: number) => ({ queued, sending: 1, sent: 100, deferred: 2, failed: 0, cancelled: 0, quarantined: 0 });

function bucket(start: number, providers: Record<string, [number, number, number]> = {}, accepted = 0, sent = 0): TrafficBucket {
  let attempts = 0;
  const out: TrafficBucket['providers'] = {};
  for (const [n] of Object.values(providers)) attempts += n;
  for (const [name, [n, ok, p50]] of Object.entries(providers)) {
    out[name] = { attempts: n, ok, success_rate: n ? ok / n : null, share: n / attempts, latency_p50_ms: p50, latency_p95_ms: p50 * 2 };
  }
  return { start: iso(start), accepted, sent, failed: 0, deferred: 0, attempts, providers: out };
}

function stats(history: TrafficBucket[], at = T0 + 5000): Stats {
  return { at: iso(at), bucket_seconds: 10, window_seconds: 60, queue: queue(3), rates: { accepted: 1, sent: 1, failed: 0, attempts: 1 }, history };
}

function event(b: TrafficBucket, at: number, q = 4): StatsEvent {
  return { type: 'stats', at: iso(at), bucket_seconds: 10, queue: queue(q), rates: { accepted: 2, sent: 2, failed: 0, attempts: 2 }, bucket: b };
}

describe('the stats view', () => {
  it('starts from the history, oldest first, with the queue as a first sample', () => {
    const v = fromStats(stats([bucket(T0), bucket(T0 - 10_000)]));
    expect(v.buckets.map((b) => b.start)).toEqual([iso(T0 - 10_000), iso(T0)]);
    expect(v.bucketMs).toBe(10_000);
    expect(v.queueSamples).toEqual([{ t: T0 + 5000, queue: queue(3) }]);
  });

  it('replaces the current bucket with each event and appends the next one', () => {
    let v = fromStats(stats([bucket(T0, { a: [1, 1, 10] })]));
    v = applyStats(v, event(bucket(T0, { a: [5, 5, 10] }), T0 + 6000));
    expect(v.buckets).toHaveLength(1);
    expect(v.buckets[0].providers.a.attempts).toBe(5);
    v = applyStats(v, event(bucket(T0 + 10_000, { a: [1, 1, 10] }), T0 + 11_000));
    expect(v.buckets.map((b) => b.start)).toEqual([iso(T0), iso(T0 + 10_000)]);
    expect(v.queueSamples.map((s) => s.queue.queued)).toEqual([3, 4, 4]);
  });

  it('drops buckets that left the window and does not change the view it was given', () => {
    const first = fromStats(stats([bucket(T0)]));
    const later = applyStats(first, event(bucket(T0 + 60_000), T0 + 61_000));
    expect(later.buckets.map((b) => b.start)).toEqual([iso(T0 + 60_000)]);
    expect(first.buckets).toHaveLength(1);
    expect(first.buckets[0].start).toBe(iso(T0));
  });
});

describe('chart data', () => {
  const view = fromStats(
    stats([bucket(T0 - 20_000, { a: [10, 9, 40], b: [30, 30, 80] }, 50, 40), bucket(T0, { b: [10, 10, 60] }, 10, 10)]),
  );

  it('has one x per bucket of the window, up to the current one', () => {
    const xs = timeline(view, T0 + 5000);
    expect(xs).toHaveLength(6);
    expect(xs[5]).toBe(T0);
    expect(xs[0]).toBe(T0 - 50_000);
  });

  it('shows rates per second, zero where nothing happened', () => {
    const [xs, accepted, sent] = rateChart(view, T0 + 5000);
    expect(xs[5]).toBe(T0 / 1000);
    expect(accepted).toEqual([0, 0, 0, 5, 0, 1]);
    expect(sent).toEqual([0, 0, 0, 4, 0, 1]);
  });

  it("gives a provider's figures per bucket, null where it made no attempt, share 0 beside others", () => {
    const names = providerNames(view);
    expect(names).toEqual(['a', 'b']);
    const [, a, b] = providerChart(view, T0 + 5000, names, 'success_rate');
    expect(a).toEqual([null, null, null, 0.9, null, null]);
    expect(b).toEqual([null, null, null, 1, null, 1]);
    const [, shareA] = providerChart(view, T0 + 5000, names, 'share');
    expect(shareA).toEqual([null, null, null, 0.25, null, 0]);
  });

  it('puts p50 and p95 of each provider side by side', () => {
    const { names, data } = latencyChart(view, T0 + 5000, ['a', 'b']);
    expect(names).toEqual(['a p50', 'a p95', 'b p50', 'b p95']);
    expect(data[3][3]).toBe(80);
    expect(data[4][3]).toBe(160);
  });

  it('sums the share over the last minutes', () => {
    expect(recentShare(view, T0 + 5000, 30_000)).toEqual([
      { name: 'b', share: 40 / 50 },
      { name: 'a', share: 10 / 50 },
    ]);
    expect(recentShare(view, T0 + 5000, 10_000)).toEqual([{ name: 'b', share: 1 }]);
  });

  it('draws the pending statuses of the queue as sampled', () => {
    const [xs, queued, sending, deferred] = queueChart(view);
    expect(xs).toEqual([(T0 + 5000) / 1000]);
    expect([queued[0], sending[0], deferred[0]]).toEqual([3, 1, 2]);
  });
});

describe('provider cards', () => {
  it('take their figures from the live buckets once there are some', () => {
    const p = { name: 'a', latency_ms: 0, success_rate: null, share: 0, attempts_last_minute: 0 } as unknown as Provider;
    expect(withTraffic([p], fromStats(stats([])), T0)).toEqual([p]);
    const view = fromStats(stats([bucket(T0 - 10_000, { a: [4, 4, 30], b: [4, 4, 30] }), bucket(T0, { a: [2, 1, 40] })]));
    const [a] = withTraffic([p], view, T0 + 5000);
    expect(a.latency_ms).toBe(40);
    expect(a.success_rate).toBe(0.5);
    expect(a.attempts_last_minute).toBe(6);
    expect(a.share).toBe(6 / 10);
  });
});
