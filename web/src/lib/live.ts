// The live-only events of /v1/events (stats, message_status, inbox_mail):
// parsing, and what a screen following one message or one test account
// makes of a batch. Batches are bounded on the server: a batch that left
// changes out (left_out > 0) may have left out the one followed, so the
// screen reads it again.
import type { InboxMailEvent, MessageStatus, MessageStatusEvent, StatsEvent } from '../api/types';

export type LiveEvent = StatsEvent | MessageStatusEvent | InboxMailEvent;

export const LIVE_TYPES = new Set(['stats', 'message_status', 'inbox_mail']);

export function isLiveType(type: string): boolean {
  return LIVE_TYPES.has(type);
}

// The event, or null when it is not a live event or its data is not what
// its type says.
export function parseLive(type: string, data: string): LiveEvent | null {
  if (!isLiveType(type)) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  switch (type) {
    case 'stats':
      return typeof o.bucket === 'object' && o.bucket !== null ? ({ ...o, type } as unknown as StatsEvent) : null;
    case 'message_status':
      return Array.isArray(o.messages) ? ({ left_out: 0, ...o, type } as unknown as MessageStatusEvent) : null;
    default:
      return typeof o.accounts === 'object' && o.accounts !== null
        ? ({ left_out: 0, ...o, type } as unknown as InboxMailEvent)
        : null;
  }
}

export interface Followed {
  status?: MessageStatus; // the message's new status, when the batch names it
  reread: boolean; // the batch may hold news of it that it left out
}

export function followMessage(event: MessageStatusEvent, id: string): Followed {
  const mine = event.messages.filter((m) => m.id === id);
  if (mine.length) return { status: mine[mine.length - 1].status, reread: false };
  return { reread: event.left_out > 0 };
}

// Whether the batch says (or may say) that `user` got mail.
export function mailFor(event: InboxMailEvent, user: string): boolean {
  return (event.accounts[user] ?? 0) > 0 || event.left_out > 0;
}
