import { describe, expect, it } from 'vitest';
import { newSuppressionBody, suppressionPath, suppressionsPath } from './suppressions';

describe('suppressions', () => {
  it('asks for a page by prefix and cursor', () => {
    expect(suppressionsPath({ prefix: '', after: null })).toBe('/v1/suppressions?limit=50');
    expect(suppressionsPath({ prefix: ' ann@ ', after: 'ann@example.org' }, 10)).toBe(
      '/v1/suppressions?prefix=ann%40&after=ann%40example.org&limit=10',
    );
  });

  it('puts an address in a path whatever it holds', () => {
    expect(suppressionPath('a+b/c%d?@example.org')).toBe('/v1/suppressions/a%2Bb%2Fc%25d%3F%40example.org');
  });

  it('builds the body of a new entry, or names what is missing', () => {
    expect(newSuppressionBody({ address: ' x@example.org ', reason: '', detail: '' })).toEqual({
      body: { address: 'x@example.org', reason: 'manual' },
    });
    expect(newSuppressionBody({ address: 'x@example.org', reason: 'bounced', detail: ' asked ' }).body).toEqual({
      address: 'x@example.org',
      reason: 'bounced',
      detail: 'asked',
    });
    expect(newSuppressionBody({ address: '', reason: '', detail: '' })).toMatchObject({ field: 'address' });
    expect(newSuppressionBody({ address: 'nobody', reason: '', detail: '' })).toMatchObject({ field: 'address' });
    expect(newSuppressionBody({ address: 'x@', reason: '', detail: '' })).toMatchObject({ field: 'address' });
  });
});
