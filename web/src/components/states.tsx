// The states every screen shows the same way: loading, an error (with what
// to do), nothing yet.
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <div class="state" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {what}…
    </div>
  );
}

// What a person can do about an error of the API.
export function errorAdvice(error: ApiError): string {
  if (error.unreachable) return 'The gateway did not answer; it may have stopped. This page retries when you reload.';
  if (error.status === 401) return 'Your key is no longer accepted: sign out and sign in again.';
  if (error.status === 403) return 'Your key lacks the scope this needs.';
  if (error.status === 409) return 'Something changed meanwhile: reload and try again.';
  if (error.status === 503) return 'The gateway is not ready for this now.';
  return '';
}

export function ErrorBox({ error, title = 'Something went wrong' }: { error: ApiError; title?: string }) {
  const advice = errorAdvice(error);
  return (
    <div class="state error" role="alert">
      <strong>{title}</strong>
      <p>
        {error.message}
        {error.field ? ` (${error.field})` : ''}
      </p>
      {advice && <p class="muted">{advice}</p>}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <strong>{title}</strong>
      {children && <p class="muted">{children}</p>}
    </div>
  );
}
