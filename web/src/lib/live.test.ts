import { describe, expect, it } from 'vitest';
import { followMessage, isLiveType, mailFor, parseLive } from './live';

describe('live events', () => {
  it('parses the three live types and nothing else', () => {
    expect(isLiveType('stats')).toBe(true);
    expect(isLiveType('provider_state')).toBe(false);
    expect(parseLive('provider_state', '{}')).toBeNull();
    expect(parseLive('stats', 'not json')).toBeNull();
    expect(parseLive('stats', '{"rates":{}}')).toBeNull();
    expect(parseLive('message_status', '{"messages":[]}')).toEqual({ type: 'message_status', messages: [], left_out: 0 });
    expect(parseLive('inbox_mail', '[1]')).toBeNull();
    expect(parseLive('inbox_mail', '{"accounts":{"x":2},"left_out":0}')).toEqual({ type: 'inbox_mail', accounts: { x: 2 }, left_out: 0 });
  });

  it("follows a message: its status when the batch names it, a re-read when the batch left some out", () => {
    const batch = { type: 'message_status' as const, at: '', messages: [{ id: 'm1', status: 'sent' as const }], left_out: 0 };
    expect(followMessage(batch, 'm1')).toEqual({ status: 'sent', reread: false });
    expect(followMessage(batch, 'm2')).toEqual({ reread: false });
    expect(followMessage({ ...batch, left_out: 3 }, 'm2')).toEqual({ reread: true });
  });

  it("tells an account's inbox of its mail", () => {
    const batch = { type: 'inbox_mail' as const, at: '', accounts: { alice: 1 }, left_out: 0 };
    expect(mailFor(batch, 'alice')).toBe(true);
    expect(mailFor(batch, 'bob')).toBe(false);
    expect(mailFor({ ...batch, left_out: 1 }, 'bob')).toBe(true);
  });
});
