// The dashboard's chart data: samples of each provider's figures from
// GET /v1/providers, kept for a window (the last hour) and shaped into
// uPlot's columns (x in seconds, one y column per provider, null where a
// provider had no sample).
import type { Provider } from '../api/types';

export type Metric = 'latency_ms' | 'success_rate' | 'share';

export interface Sample {
  t: number; // ms since the epoch
  values: Record<string, Record<Metric, number | null>>;
}

export const HOUR_MS = 3600_000;

export function sampleOf(providers: Provider[], t: number): Sample {
  const values: Sample['values'] = {};
  for (const p of providers) {
    values[p.name] = {
      latency_ms: p.latency_ms > 0 ? p.latency_ms : null,
      success_rate: p.success_rate,
      share: p.share,
    };
  }
  return { t, values };
}

// The history with `sample` added and what fell out of the window dropped;
// a new array (the old one is left as it was).
export function addSample(history: readonly Sample[], sample: Sample, windowMs = HOUR_MS): Sample[] {
  const from = sample.t - windowMs;
  const kept = history.filter((s) => s.t >= from && s.t < sample.t);
  kept.push(sample);
  return kept;
}

// Every provider seen in the window, in a stable order.
export function seriesNames(history: readonly Sample[]): string[] {
  const names = new Set<string>();
  for (const s of history) for (const n of Object.keys(s.values)) names.add(n);
  return [...names].sort();
}

export type ChartData = [number[], ...(number | null)[][]];

export function chartData(history: readonly Sample[], names: readonly string[], metric: Metric): ChartData {
  const xs = history.map((s) => s.t / 1000);
  const ys = names.map((n) => history.map((s) => s.values[n]?.[metric] ?? null));
  return [xs, ...ys];
}
