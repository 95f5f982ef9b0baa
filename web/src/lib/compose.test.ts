import { describe, expect, it } from 'vitest';
import { buildSendRequest, EMPTY_FORM, splitAddresses, toBase64 } from './compose';

describe('splitAddresses', () => {
  it('splits on commas, semicolons and lines, keeping quoted names whole', () => {
    expect(splitAddresses('a@x.org, b@x.org;c@x.org\n "Doe, Jane" <jane@x.org> ,')).toEqual([
      'a@x.org', 'b@x.org', 'c@x.org', '"Doe, Jane" <jane@x.org>',
    ]);
    expect(splitAddresses('  ')).toEqual([]);
  });
});

describe('buildSendRequest', () => {
  it('builds the body the API takes', () => {
    const { body, errors } = buildSendRequest(
      { ...EMPTY_FORM, from: 'App <app@x.org>', to: 'a@x.org, b@x.org', bcc: 'audit@x.org', subject: 'Hi', text: 'Hello', tags: 'welcome, trial', metadata: 'user=7' },
      [{ filename: 'a.txt', content: 'aGk=', content_type: 'text/plain' }],
    );
    expect(errors).toEqual({});
    expect(body).toEqual({
      from: 'App <app@x.org>', to: ['a@x.org', 'b@x.org'], bcc: ['audit@x.org'], subject: 'Hi', text: 'Hello',
      tags: ['welcome', 'trial'], metadata: { user: '7' },
      attachments: [{ filename: 'a.txt', content: 'aGk=', content_type: 'text/plain' }],
    });
  });
  it('names each missing part', () => {
    const { errors } = buildSendRequest({ ...EMPTY_FORM, tags: Array(11).fill('t').join(',') }, []);
    expect(Object.keys(errors).sort()).toEqual(['body', 'from', 'recipients', 'tags']);
  });
});

describe('toBase64', () => {
  it('encodes any bytes, large ones too', () => {
    expect(toBase64(new Uint8Array([0, 255, 104, 105]))).toBe('AP9oaQ==');
    const big = new Uint8Array(100_000).fill(65);
    expect(atob(toBase64(big))).toBe('A'.repeat(100_000));
  });
});
