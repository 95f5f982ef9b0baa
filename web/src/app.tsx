// The root: decides between signing in and the app, then routes.
import type { ComponentType } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api } from './api/client';
import { checkAccess, storedKey, storeKey } from './auth';
import { Loading } from './components/states';
import { Shell } from './components/Shell';
import { SCREENS } from './routes';
import { Compose } from './screens/Compose';
import { Dashboard } from './screens/Dashboard';
import { Inbox } from './screens/Inbox';
import { Keys } from './screens/Keys';
import { Messages } from './screens/Messages';
import { NotFound } from './screens/NotFound';
import { Placeholder } from './screens/Placeholder';
import { Providers } from './screens/Providers';
import { SignIn } from './screens/SignIn';
import { Suppressions } from './screens/Suppressions';
import { Webhooks } from './screens/Webhooks';
import { SessionContext, type Session } from './session';

// The screens built so far, by their path in SCREENS.
const SCREEN_COMPONENTS: Record<string, ComponentType> = {
  '/': Dashboard,
  '/compose': Compose,
  '/messages/:rest*': Messages,
  '/providers/:rest*': Providers,
  '/inbox/:rest*': Inbox,
  '/keys': Keys,
  '/suppressions': Suppressions,
  '/webhooks/:rest*': Webhooks,
};

type Gate = { phase: 'checking' } | { phase: 'signed-out'; notice?: string } | { phase: 'in'; key: string | null };

export function App() {
  const [gate, setGate] = useState<Gate>({ phase: 'checking' });

  // With the key of this session, or with none: loopback callers of a node
  // without keys go straight in.
  useEffect(() => {
    const key = storedKey();
    checkAccess(key).then((access) => {
      if (access.ok) setGate({ phase: 'in', key });
      else {
        if (key) storeKey(null);
        setGate({ phase: 'signed-out', notice: key ? 'Your key is no longer accepted; sign in again.' : undefined });
      }
    });
  }, []);

  const session = useMemo<Session | null>(() => {
    if (gate.phase !== 'in') return null;
    const key = gate.key;
    return {
      api: new Api(() => key),
      key,
      signOut: () => {
        storeKey(null);
        setGate({ phase: 'signed-out' });
      },
      switchKey: (next: string) => {
        storeKey(next);
        setGate({ phase: 'in', key: next });
      },
    };
  }, [gate]);

  if (gate.phase === 'checking') return <Loading what="Connecting to the gateway" />;
  if (gate.phase === 'signed-out' || !session) {
    return (
      <SignIn
        notice={gate.phase === 'signed-out' ? gate.notice : undefined}
        onSignedIn={(key) => {
          storeKey(key);
          setGate({ phase: 'in', key });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider>
        <Shell>
          <Router>
            {[
              ...SCREENS.map((s) => (
                <Route
                  key={s.path}
                  path={s.path}
                  component={SCREEN_COMPONENTS[s.path] ?? (() => <Placeholder screen={s} />)}
                />
              )),
              <Route key="404" default component={NotFound} />,
            ]}
          </Router>
        </Shell>
      </LocationProvider>
    </SessionContext.Provider>
  );
}
