import { describe, expect, it } from 'vitest';
import type { Provider } from '../api/types';
import { applyEvent, describeEvent, nodeLines, parseEvent } from './providers';

const up: Provider = {
  name: 'mg', type: 'mailgun', pool: 'default', source: 'config', weight: 1, priority: 0, state: 'healthy',
  check: null, reason: '', since: '2026-12-07T00:00:00Z', admin: 'active', latency_ms: 20, success_rate: 1,
  in_flight: 0, attempts_last_minute: 3, share: 1,
};

describe('applyEvent', () => {
  it('changes the provider a provider_state event names, in place', () => {
    const e = parseEvent('provider_state', JSON.stringify({
      id: 7, type: 'provider_state', at: '2026-12-07T01:00:00Z', provider: 'mg', pool: 'default',
      state: 'unhealthy', previous: 'healthy', check: 'probe', reason: 'probe failed 3 times',
    }))!;
    const { providers, refetch } = applyEvent([up], e);
    expect(refetch).toBe(false);
    expect(providers[0]).toMatchObject({ state: 'unhealthy', check: 'probe', reason: 'probe failed 3 times', since: '2026-12-07T01:00:00Z', latency_ms: 20 });
    expect(up.state).toBe('healthy');
  });
  it('asks for the list again when providers come, go, or the event names one it does not know', () => {
    expect(applyEvent([up], { id: 1, type: 'provider_added', at: '', provider: 'sg' }).refetch).toBe(true);
    expect(applyEvent([up], { id: 2, type: 'provider_removed', at: '', provider: 'mg' }).refetch).toBe(true);
    expect(applyEvent([up], { id: 3, type: 'provider_state', at: '', provider: 'new', state: 'healthy' }).refetch).toBe(true);
    expect(applyEvent([up], { id: 4, type: 'pool_available', at: '', pool: 'default' }).refetch).toBe(false);
  });
});

describe('parseEvent', () => {
  it('refuses data that is not a JSON object', () => {
    expect(parseEvent('x', 'not json')).toBeNull();
    expect(parseEvent('x', '[1]')).toBeNull();
    expect(parseEvent('x', 'null')).toBeNull();
  });
  it('takes the type from the block when data has none', () => {
    expect(parseEvent('pool_available', '{"id":1,"pool":"p"}')?.type).toBe('pool_available');
  });
});

describe('describeEvent', () => {
  it('says what happened in one line', () => {
    expect(describeEvent({ id: 1, type: 'provider_state', at: '', provider: 'mg', previous: 'healthy', state: 'unhealthy', reason: 'down' }))
      .toBe('mg: healthy → unhealthy (down)');
    expect(describeEvent({ id: 2, type: 'pool_unavailable', at: '', pool: 'p' })).toBe('pool p has no provider taking mail');
    expect(describeEvent({ id: 3, type: 'something_else', at: '' })).toBe('something else');
  });
});

describe('nodeLines', () => {
  const node = (name: string, state: string, stale = false) => ({
    node: name, state, reason: state === 'healthy' ? '' : 'probe: refused', since: '2026-12-07T00:00:00Z',
    updated_at: '2026-12-07T00:00:10Z', stale, latency_ms: 10, success_rate: 1,
  });
  it('says nothing with one node or none', () => {
    expect(nodeLines(undefined)).toEqual([]);
    expect(nodeLines([node('a', 'healthy')])).toEqual([]);
  });
  it('lists each node with its state, marking stale rows', () => {
    const lines = nodeLines([node('a', 'healthy'), node('b', 'unhealthy', true)]);
    expect(lines.map((l) => [l.node, l.state, l.stale])).toEqual([['a', 'healthy', false], ['b', 'unhealthy', true]]);
    expect(lines[1].title).toBe('b: unhealthy (probe: refused), written 2026-12-07T00:00:10Z, stale');
  });
});
