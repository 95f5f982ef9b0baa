// API keys as the Keys screen handles them: the scopes a key may have
// (auth::kScopeNames) and the name rule POST /v1/keys applies.
export const SCOPES = [
  { name: 'send', help: 'send mail, cancel and retry' },
  { name: 'read', help: 'read messages, providers, events' },
  { name: 'admin', help: 'keys, providers, routing, suppressions' },
  { name: 'heartbeat', help: 'provider heartbeats only' },
] as const;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

// Why `name` would be refused, or null when it is fine.
export function keyNameProblem(name: string): string | null {
  if (!name) return 'Give the key a name.';
  if (!NAME.test(name)) return "1 to 64 letters, digits, '-', '_' or '.'";
  return null;
}

// On a node without keys the first one closes it to callers without a key:
// the UI must go on with it, which it can only if the key may read.
export function canCarryOn(scopes: readonly string[]): boolean {
  return scopes.includes('read');
}
