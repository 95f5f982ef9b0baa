import { describe, expect, it } from 'vitest';
import { formatBytes, formatMailboxes, inboxPlace, PREVIEW_CSP, previewDocument } from './inbox';

describe('inboxPlace', () => {
  it('reads the account and the message from the path', () => {
    expect(inboxPlace(undefined)).toEqual({ user: undefined, uid: undefined });
    expect(inboxPlace('brave-otter-4821')).toEqual({ user: 'brave-otter-4821', uid: undefined });
    expect(inboxPlace('brave-otter-4821/7')).toEqual({ user: 'brave-otter-4821', uid: '7' });
  });
});

describe('previewDocument', () => {
  it('puts the HTML under a policy that fetches nothing', () => {
    const doc = previewDocument('<p>Hi</p>');
    expect(doc).toContain(`content="${PREVIEW_CSP}"`);
    expect(doc).toContain('<body><p>Hi</p></body>');
    expect(PREVIEW_CSP).toMatch(/default-src 'none'/);
    expect(PREVIEW_CSP).not.toMatch(/script-src/);
  });
});

describe('formatting', () => {
  it('sizes and mailboxes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(10_240)).toBe('10.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(formatMailboxes([{ name: 'Billing', address: 'b@x.org' }, { name: '', address: 'c@x.org' }])).toBe('Billing <b@x.org>, c@x.org');
  });
});
