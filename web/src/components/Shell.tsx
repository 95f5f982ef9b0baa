// The frame around every screen: a skip link, the navigation (a top bar
// that wraps at phone widths), the page.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { SCREENS } from '../routes';
import { useSession } from '../session';

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(href + '/');
}

export function Shell({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const session = useSession();
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          <span class="logo" aria-hidden="true" />
          Postern
        </a>
        <nav aria-label="Main">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.href}>
                <a href={s.href} aria-current={isCurrent(s.href, path) ? 'page' : undefined}>
                  {s.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <a href="/docs" class="quiet">
            API
          </a>
          {session.key ? (
            <button type="button" class="quiet" onClick={session.signOut}>
              Sign out
            </button>
          ) : (
            <span class="muted" title="This node has no API key yet; loopback callers need none">
              Open (loopback)
            </span>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
