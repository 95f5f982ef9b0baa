import { describe, expect, it } from 'vitest';
import { adminActions, newProviderBody } from './providers-admin';

describe('newProviderBody', () => {
  it('builds POST /v1/providers', () => {
    expect(newProviderBody({ name: ' sg ', type: 'sendgrid', pool: 'bulk', weight: '3', settings: 'api_key=SG.x\nbase_url=http://h' }))
      .toEqual({ body: { name: 'sg', type: 'sendgrid', pool: 'bulk', weight: 3, settings: { api_key: 'SG.x', base_url: 'http://h' } } });
    expect(newProviderBody({ name: 'r', type: 'smtp', pool: '', weight: '', settings: '' }).body).toEqual({ name: 'r', type: 'smtp', settings: {} });
  });
  it('names what is wrong', () => {
    expect(newProviderBody({ name: '', type: 'smtp', pool: '', weight: '', settings: '' }).field).toBe('name');
    expect(newProviderBody({ name: 'a', type: 'smtp', pool: '', weight: '-1', settings: '' }).field).toBe('weight');
    expect(newProviderBody({ name: 'a', type: 'smtp', pool: '', weight: '', settings: 'oops' }).field).toBe('settings');
  });
});

describe('adminActions', () => {
  it('offers drain and pause to an active provider, resume otherwise', () => {
    expect(adminActions({ admin: 'active' })).toEqual(['drain', 'pause']);
    expect(adminActions({ admin: 'paused' })).toEqual(['resume']);
    expect(adminActions({ admin: 'draining' })).toEqual(['resume']);
  });
});
