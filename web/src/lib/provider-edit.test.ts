import { describe, expect, it } from 'vitest';
import type { ProviderDetail } from '../api/types';
import { editFormOf, hasChanges, providerEditBody, settingsPatch } from './provider-edit';

const mailgun = {
  name: 'mg',
  type: 'mailgun',
  pool: 'default',
  weight: 1,
  priority: 0,
  settings: { api_key: '***', base_url: 'http://127.0.0.1:9001', domain: 'mg.example.com' },
  rate_limit: null,
  max_concurrency: null,
  probe: { enabled: true },
} as unknown as ProviderDetail;

describe('editing a provider', () => {
  it('starts from what the provider has, and sends nothing unchanged', () => {
    const form = editFormOf(mailgun);
    expect(form).toMatchObject({ pool: 'default', weight: '1', priority: '0', rate_limit: '', max_concurrency: '', probe: true });
    expect(form.settings).toBe('api_key = ***\nbase_url = http://127.0.0.1:9001\ndomain = mg.example.com');
    const built = providerEditBody(mailgun, form);
    expect(built).toEqual({ body: {} });
    expect(hasChanges(built)).toBe(false);
  });

  it('sends only the fields changed, numbers as numbers', () => {
    const form = { ...editFormOf(mailgun), weight: '4', rate_limit: '2.5', burst: '10', probe: false, pool: ' eu ' };
    expect(providerEditBody(mailgun, form)).toEqual({ body: { pool: 'eu', weight: 4, rate_limit: 2.5, burst: 10, probe: false } });
  });

  it('names the field that is not a number', () => {
    expect(providerEditBody(mailgun, { ...editFormOf(mailgun), priority: '-1' })).toMatchObject({ field: 'priority' });
    expect(providerEditBody(mailgun, { ...editFormOf(mailgun), max_concurrency: '2.5' })).toMatchObject({ field: 'max_concurrency' });
    expect(providerEditBody(mailgun, { ...editFormOf(mailgun), rate_limit: 'fast' })).toMatchObject({ field: 'rate_limit' });
    expect(providerEditBody(mailgun, { ...editFormOf(mailgun), pool: ' ' })).toMatchObject({ field: 'pool' });
    expect(providerEditBody(mailgun, { ...editFormOf(mailgun), settings: 'oops' })).toMatchObject({ field: 'settings' });
  });

  it('keeps a masked credential, replaces a typed one, removes a deleted key', () => {
    const current = mailgun.settings as Record<string, string>;
    expect(settingsPatch(current, 'api_key = ***\nbase_url = http://127.0.0.1:9002\ndomain = mg.example.com')).toEqual({
      value: { base_url: 'http://127.0.0.1:9002' },
    });
    expect(settingsPatch(current, 'api_key = key-new\nbase_url = http://127.0.0.1:9001\nregion = eu')).toEqual({
      value: { api_key: 'key-new', region: 'eu', domain: null },
    });
  });
});
