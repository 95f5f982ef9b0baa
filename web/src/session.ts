// What every screen shares once signed in: the API client with the key.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { Api } from './api/client';

export interface Session {
  api: Api;
  key: string | null;
  signOut: () => void;
  // Goes on with another key (the first key made on an open node closes
  // it to callers without one).
  switchKey: (key: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}
