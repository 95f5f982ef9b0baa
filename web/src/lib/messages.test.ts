import { describe, expect, it } from 'vitest';
import { canCancel, canRetry, listQuery, NO_FILTER, statusTone } from './messages';

describe('listQuery', () => {
  it('asks for a page, with only the filters given', () => {
    expect(listQuery(NO_FILTER)).toBe('/v1/messages?limit=50');
    expect(listQuery({ ...NO_FILTER, status: 'failed', cursor: '0abc' }, 20)).toBe('/v1/messages?status=failed&cursor=0abc&limit=20');
  });
  it('sends times as RFC 3339', () => {
    const q = new URL(listQuery({ ...NO_FILTER, since: '2026-12-07T03:15' }), 'http://x').searchParams;
    expect(q.get('since')).toBe(new Date('2026-12-07T03:15').toISOString());
  });
});

describe('what a status allows', () => {
  it('cancels what has not gone out', () => {
    expect(canCancel('queued')).toBe(true);
    expect(canCancel('deferred')).toBe(true);
    expect(canCancel('sent')).toBe(false);
    expect(canCancel('sending')).toBe(false);
  });
  it('retries what ended badly, and a sent one with refused recipients', () => {
    expect(canRetry('failed')).toBe(true);
    expect(canRetry('cancelled')).toBe(true);
    expect(canRetry('sent')).toBe(false);
    expect(canRetry('sent', ['a@x.org'])).toBe(true);
    expect(canRetry('queued')).toBe(false);
  });
  it('colours by outcome', () => {
    expect(statusTone('sent')).toBe('ok');
    expect(statusTone('failed')).toBe('bad');
    expect(statusTone('deferred')).toBe('warn');
  });
});
