import { describe, expect, it } from 'vitest';
import { formatAgo, formatCount, formatLatency, formatLatencyTick, formatRate, stateLabel, stateTone } from './format';

describe('formatLatency', () => {
  it('shows milliseconds under a second and seconds above', () => {
    expect(formatLatency(42.4)).toBe('42\u00a0ms');
    expect(formatLatency(1.26)).toBe('1.3\u00a0ms');
    expect(formatLatency(1234)).toBe('1.23\u00a0s');
    expect(formatLatency(12_345)).toBe('12.3\u00a0s');
  });
  it('marks the axis zero as 0', () => {
    expect(formatLatencyTick(0)).toBe('0');
    expect(formatLatencyTick(250)).toBe('250\u00a0ms');
  });
  it('shows a dash when nothing was measured', () => {
    expect(formatLatency(0)).toBe('–');
    expect(formatLatency(null)).toBe('–');
    expect(formatLatency(Number.NaN)).toBe('–');
  });
});

describe('formatRate', () => {
  it('shows a percentage, whole at the ends', () => {
    expect(formatRate(0.987)).toBe('98.7\u00a0%');
    expect(formatRate(1)).toBe('100\u00a0%');
    expect(formatRate(0)).toBe('0\u00a0%');
    expect(formatRate(null)).toBe('–');
  });
});

describe('formatAgo', () => {
  const now = Date.parse('2026-12-07T03:00:00Z');
  it('reads as a person would say it', () => {
    expect(formatAgo('2026-12-07T03:00:00Z', now)).toBe('just now');
    expect(formatAgo('2026-12-07T02:59:18Z', now)).toBe('42 s ago');
    expect(formatAgo('2026-12-07T02:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo('2026-12-07T00:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-12-05T03:00:00Z', now)).toBe('2 d ago');
    expect(formatAgo('not a time', now)).toBe('–');
  });
});

describe('states', () => {
  it('names each routing state and its tone', () => {
    expect([stateLabel('healthy'), stateTone('healthy')]).toEqual(['Up', 'ok']);
    expect([stateLabel('half_open'), stateTone('half_open')]).toEqual(['Degraded', 'warn']);
    expect([stateLabel('unhealthy'), stateTone('unhealthy')]).toEqual(['Down', 'bad']);
    expect([stateLabel('lapsed'), stateTone('lapsed')]).toEqual(['Lapsed', 'bad']);
    expect([stateLabel('paused'), stateTone('paused')]).toEqual(['Paused', 'idle']);
    expect([stateLabel('something_new'), stateTone('something_new')]).toEqual(['something_new', 'warn']);
  });
  it('groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
