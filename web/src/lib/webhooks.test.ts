import { describe, expect, it } from 'vitest';
import type { WebhookEndpoint } from '../api/types';
import { deliveriesPath, deliveryTone, endpointState, lastOutcome, newEndpointBody, subscribedLabel } from './webhooks';

const endpoint: WebhookEndpoint = {
  id: 'ep_1',
  url: 'https://app.example.com/hook',
  events: [],
  created_at: '2026-12-07T06:00:00.000Z',
  enabled: true,
  disabled_at: null,
  disabled_reason: null,
  failing_since: null,
};

describe('webhooks', () => {
  it('builds a new endpoint, types in the documented order', () => {
    expect(newEndpointBody(' http://127.0.0.1:9/h ', ['recipient.bounced', 'message.sent', 'nonsense'])).toEqual({
      body: { url: 'http://127.0.0.1:9/h', events: ['message.sent', 'recipient.bounced'] },
    });
    expect(newEndpointBody('https://x.example/', []).body?.events).toEqual([]);
  });

  it('names the URL when it cannot be one', () => {
    expect(newEndpointBody('', [])).toMatchObject({ field: 'url' });
    expect(newEndpointBody('app.example.com/hook', [])).toMatchObject({ field: 'url' });
    expect(newEndpointBody('ftp://app.example.com/', [])).toMatchObject({ field: 'url', error: 'The URL must use http or https.' });
  });

  it('reads an endpoint state with its reason', () => {
    expect(endpointState(endpoint)).toEqual({ label: 'Enabled', tone: 'ok', detail: '' });
    const failing = endpointState({ ...endpoint, failing_since: new Date(Date.now() - 120_000).toISOString() });
    expect(failing).toEqual({ label: 'Failing', tone: 'warn', detail: 'failing since 2 min ago' });
    expect(endpointState({ ...endpoint, enabled: false, disabled_reason: 'by request' })).toEqual({
      label: 'Disabled',
      tone: 'bad',
      detail: 'by request',
    });
    expect(subscribedLabel(endpoint)).toBe('every type');
    expect(subscribedLabel({ events: ['message.sent', 'message.failed'] })).toBe('message.sent, message.failed');
  });

  it('reads a delivery', () => {
    expect(deliveryTone({ state: 'delivered' })).toBe('ok');
    expect(deliveryTone({ state: 'pending' })).toBe('warn');
    expect(deliveryTone({ state: 'failed' })).toBe('bad');
    expect(lastOutcome({ attempts: 0, last_status: null, last_error: null })).toBe('not tried yet');
    expect(lastOutcome({ attempts: 1, last_status: 200, last_error: null })).toBe('200');
    expect(lastOutcome({ attempts: 2, last_status: 503, last_error: 'busy' })).toBe('503: busy');
    expect(lastOutcome({ attempts: 2, last_status: null, last_error: 'connection_refused' })).toBe('connection_refused');
  });

  it('pages the log with the id of the last delivery shown', () => {
    expect(deliveriesPath('ep_1', null)).toBe('/v1/webhook-endpoints/ep_1/deliveries?limit=20');
    expect(deliveriesPath('ep_1', 41, 5)).toBe('/v1/webhook-endpoints/ep_1/deliveries?limit=5&before=41');
  });
});
