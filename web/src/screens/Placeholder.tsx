// A screen that is planned but not built yet (issue #29): says what it will
// hold and where the API already offers it.
import type { Screen } from '../routes';

export function Placeholder({ screen }: { screen: Screen }) {
  return (
    <section class="page">
      <h1>{screen.title}</h1>
      <div class="state empty">
        <strong>Not built yet</strong>
        <p class="muted">{screen.summary}</p>
        <p class="muted">
          Until then, the <a href="/docs">API explorer</a> does all of it.
        </p>
      </div>
    </section>
  );
}
