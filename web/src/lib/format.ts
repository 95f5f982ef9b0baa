// How numbers, times and states read on screen. A number and its unit are
// joined by a no-break space, so a narrow cell never splits them.
import type { ProviderState } from '../api/types';

const NBSP = '\u00a0';

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return '–';
  if (ms < 10) return `${ms.toFixed(1)}${NBSP}ms`;
  if (ms < 1000) return `${Math.round(ms)}${NBSP}ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)}${NBSP}s`;
}

// An axis tick of milliseconds: 0 is a value there, not "nothing measured".
export function formatLatencyTick(ms: number): string {
  return ms === 0 ? '0' : formatLatency(ms);
}

// 0.987 -> "98.7 %"; null (no attempts yet) -> "–".
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  const pct = rate * 100;
  return `${pct === 100 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}${NBSP}%`;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en').format(n);
}

// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago".
export function formatAgo(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '–';
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

const STATES: Record<ProviderState, { label: string; tone: Tone }> = {
  healthy: { label: 'Up', tone: 'ok' },
  half_open: { label: 'Degraded', tone: 'warn' },
  ejected: { label: 'Ejected', tone: 'bad' },
  unhealthy: { label: 'Down', tone: 'bad' },
  lapsed: { label: 'Lapsed', tone: 'bad' },
  draining: { label: 'Draining', tone: 'idle' },
  drained: { label: 'Drained', tone: 'idle' },
  paused: { label: 'Paused', tone: 'idle' },
};

export function stateLabel(state: string): string {
  return STATES[state as ProviderState]?.label ?? state;
}

export function stateTone(state: string): Tone {
  return STATES[state as ProviderState]?.tone ?? 'warn';
}
