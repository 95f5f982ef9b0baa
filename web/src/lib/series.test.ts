import { describe, expect, it } from 'vitest';
import type { Provider } from '../api/types';
import { addSample, chartData, HOUR_MS, sampleOf, seriesNames } from './series';

function provider(name: string, latency_ms: number, success_rate: number | null, share: number): Provider {
  return {
    name, type: 'smtp', pool: 'default', source: 'config', weight: 1, priority: 0, state: 'healthy', check: null,
    reason: '', since: '2026-12-07T00:00:00Z', admin: 'active', latency_ms, success_rate, in_flight: 0,
    attempts_last_minute: 0, share,
  };
}

describe('samples', () => {
  it('keeps one hour and drops what is older', () => {
    let h = addSample([], sampleOf([provider('a', 10, 1, 1)], 0));
    h = addSample(h, sampleOf([provider('a', 20, 1, 1)], HOUR_MS / 2));
    h = addSample(h, sampleOf([provider('a', 30, 1, 1)], HOUR_MS + 1));
    expect(h.map((s) => s.t)).toEqual([HOUR_MS / 2, HOUR_MS + 1]);
  });
  it('does not change the history it is given', () => {
    const first = addSample([], sampleOf([], 1));
    addSample(first, sampleOf([], 2));
    expect(first).toHaveLength(1);
  });
  it('counts no latency as no value rather than zero', () => {
    expect(sampleOf([provider('a', 0, null, 0)], 0).values.a).toEqual({ latency_ms: null, success_rate: null, share: 0 });
  });
});

describe('chartData', () => {
  it('gives uPlot columns: seconds, then one line per provider, null where a provider was absent', () => {
    let h = addSample([], sampleOf([provider('b', 100, 0.5, 0.25), provider('a', 50, 1, 0.75)], 1000));
    h = addSample(h, sampleOf([provider('a', 60, 0.9, 1)], 2000));
    const names = seriesNames(h);
    expect(names).toEqual(['a', 'b']);
    expect(chartData(h, names, 'latency_ms')).toEqual([[1, 2], [50, 60], [100, null]]);
    expect(chartData(h, names, 'share')).toEqual([[1, 2], [0.75, 1], [0.25, null]]);
  });
});
