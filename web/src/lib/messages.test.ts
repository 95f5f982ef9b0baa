import { describe, expect, it } from 'vitest';
import { canCancel, canRetry, filterFromSearch, filterToSearch, isFiltered, listQuery, NO_FILTER, statusTone, type ListFilter } from './messages';

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

describe('the search in the URL', () => {
  const full: ListFilter = {
    status: 'failed',
    provider: 'mg-us',
    recipient: 'Ann+x@Example.org',
    tag: 'a b&c',
    since: '2026-12-07T03:15',
    until: '2026-12-08T00:00',
    cursor: '0ABC',
  };
  it('round-trips every filter and the cursor', () => {
    expect(filterFromSearch(filterToSearch(full))).toEqual(full);
    expect(filterFromSearch(new URLSearchParams(filterToSearch(full)))).toEqual(full);
  });
  it('is empty without filters, and reads an empty URL as no filter', () => {
    expect(filterToSearch(NO_FILTER)).toBe('');
    expect(filterFromSearch('')).toEqual(NO_FILTER);
    expect(filterFromSearch({})).toEqual(NO_FILTER);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, tag: 'x' })).toBe(true);
    expect(isFiltered({ ...NO_FILTER, cursor: 'x' })).toBe(false);
  });
  it('escapes what it holds', () => {
    expect(filterToSearch({ ...NO_FILTER, tag: 'a b&c', recipient: 'x+y@z.org' })).toBe('?recipient=x%2By%40z.org&tag=a+b%26c');
  });
  it('drops what a hand-edited link gets wrong instead of sending it on', () => {
    expect(filterFromSearch('?status=lost&since=yesterday&until=2026-12-07T03:15&cursor=')).toEqual({ ...NO_FILTER, until: '2026-12-07T03:15' });
  });
  it('trims the text filters', () => {
    expect(filterToSearch({ ...NO_FILTER, recipient: '  a@b.org ', tag: '   ' })).toBe('?recipient=a%40b.org');
  });
  it('asks the API for the same search, times as RFC 3339', () => {
    const q = new URL(listQuery(filterFromSearch(filterToSearch(full))), 'http://x').searchParams;
    expect(q.get('status')).toBe('failed');
    expect(q.get('provider')).toBe('mg-us');
    expect(q.get('recipient')).toBe('Ann+x@Example.org');
    expect(q.get('tag')).toBe('a b&c');
    expect(q.get('since')).toBe(new Date('2026-12-07T03:15').toISOString());
    expect(q.get('until')).toBe(new Date('2026-12-08T00:00').toISOString());
    expect(q.get('cursor')).toBe('0ABC');
    expect(q.get('limit')).toBe('50');
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
