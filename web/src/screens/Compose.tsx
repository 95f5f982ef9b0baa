// Compose and send: every field of POST /v1/messages, attachments by file
// picker or drag-and-drop; async (the id, then its status followed) or
// sync (Prefer: wait, then the outcome).
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { useLiveEvents } from '../api/live';
import { ErrorBox } from '../components/states';
import {
  buildSendRequest,
  EMPTY_FORM,
  FINAL_STATUSES,
  toBase64,
  type Attachment,
  type ComposeForm,
  type FieldErrors,
} from '../lib/compose';
import { followMessage } from '../lib/live';
import { useSession } from '../session';

// How long a sync send waits for the outcome (Prefer: wait=N).
const SYNC_WAIT_S = 30;
// Without the event stream (a key that may not read it), the status is read
// again this often until it is final.
const FOLLOW_MS = 1000;

interface Sent {
  id: string;
  status: string;
  detail?: string;
}

// The errors left once `name` is edited: its own, and the one it shares
// with others (recipients, body).
function withoutErrorsOf(errors: FieldErrors, name: keyof ComposeForm): FieldErrors {
  const next: FieldErrors = { ...errors, [name]: undefined };
  if (name === 'to' || name === 'cc' || name === 'bcc') next.recipients = undefined;
  if (name === 'text' || name === 'html') next.body = undefined;
  return next;
}

async function readFiles(files: FileList | File[]): Promise<Attachment[]> {
  return Promise.all(
    [...files].map(async (f) => ({
      filename: f.name,
      content: toBase64(new Uint8Array(await f.arrayBuffer())),
      content_type: f.type || 'application/octet-stream',
    })),
  );
}

export function Compose() {
  const { api } = useSession();
  const [form, setForm] = useState<ComposeForm>(EMPTY_FORM);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [mode, setMode] = useState<'async' | 'sync'>('async');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [dragging, setDragging] = useState(false);

  // Follows an async send until its status is final: from the event
  // stream's status changes; read again when a batch may have left it out,
  // after a reconnect, and every FOLLOW_MS when the stream is refused.
  const following = !!sent && !FINAL_STATUSES.has(sent.status) && mode === 'async';
  const reread = async () => {
    if (!sent) return;
    try {
      const m = await api.get<{ id: string; status: string }>(`/v1/messages/${sent.id}`);
      setSent((now) => (now && now.id === m.id ? { ...now, status: m.status } : now));
    } catch (e) {
      setFailure(e as ApiError);
    }
  };
  const stream = useLiveEvents(
    ['message_status'],
    following,
    (e) => {
      if (e.type !== 'message_status' || !sent) return;
      const seen = followMessage(e, sent.id);
      if (seen.status) setSent((now) => (now && now.id === sent.id ? { ...now, status: seen.status! } : now));
      else if (seen.reread) reread();
    },
    reread,
  );
  useEffect(() => {
    if (!following) return;
    // The status may have moved before the stream was open.
    if (stream === 'open') reread();
    if (stream !== 'closed') return;
    const timer = setInterval(reread, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [following, stream, sent?.id]);

  const field = (name: keyof ComposeForm, label: string, multiline = false) => {
    const id = `compose-${name}`;
    const error = errors[name];
    const props = {
      id,
      name,
      value: form[name],
      onInput: (e: Event) => {
        setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
        if (errors[name] || errors.recipients || errors.body) setErrors(withoutErrorsOf(errors, name));
      },
      'aria-invalid': error ? ('true' as const) : undefined,
      'aria-describedby': error ? `${id}-error` : undefined,
    };
    return (
      <div class="field">
        <label for={id}>{label}</label>
        {multiline ? <textarea rows={name === 'html' ? 6 : 5} {...props} /> : <input {...props} />}
        {error && (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        )}
      </div>
    );
  };

  async function send(e: Event) {
    e.preventDefault();
    const built = buildSendRequest(form, attachments);
    setErrors(built.errors);
    setFailure(null);
    if (Object.keys(built.errors).length) return;
    setBusy(true);
    setSent(null);
    try {
      const headers = mode === 'sync' ? { Prefer: `wait=${SYNC_WAIT_S}` } : undefined;
      const r = await api.post<{ id: string; status: string; reason?: string; provider?: string }>(
        '/v1/messages',
        built.body,
        headers,
      );
      setSent({ id: r.id, status: r.status, detail: r.provider ? `by ${r.provider}` : r.reason });
    } catch (err) {
      const error = err as ApiError;
      // A refused field is shown at the field; the API names it.
      if (error.field && error.field in EMPTY_FORM) setErrors({ [error.field]: error.message });
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page">
      <h1>Compose</h1>
      <form class="compose" onSubmit={send} noValidate>
        <div class="card form wide">
          {field('from', 'From')}
          {field('to', 'To')}
          {errors.recipients && <p class="field-error">{errors.recipients}</p>}
          <div class="row">
            {field('cc', 'Cc')}
            {field('bcc', 'Bcc')}
          </div>
          {field('reply_to', 'Reply-To')}
          {field('subject', 'Subject')}
          {field('text', 'Text body', true)}
          {field('html', 'HTML body', true)}
          {errors.body && <p class="field-error">{errors.body}</p>}
          <div
            class={`dropzone${dragging ? ' over' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={async (e) => {
              e.preventDefault();
              setDragging(false);
              if (e.dataTransfer?.files.length) setAttachments([...attachments, ...(await readFiles(e.dataTransfer.files))]);
            }}
          >
            <label for="compose-files">Attachments</label>
            <input
              id="compose-files"
              type="file"
              multiple
              onChange={async (e) => {
                const input = e.target as HTMLInputElement;
                if (input.files?.length) setAttachments([...attachments, ...(await readFiles(input.files))]);
                input.value = '';
              }}
            />
            <span class="muted small">or drop files here</span>
            {attachments.length > 0 && (
              <ul class="attachments" aria-label="Attachments">
                {attachments.map((a, i) => (
                  <li key={`${a.filename}-${i}`}>
                    {a.filename}{' '}
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => setAttachments(attachments.filter((_, j) => j !== i))}
                    >
                      Remove {a.filename}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div class="row">
            {field('tags', 'Tags (comma-separated)')}
            {field('metadata', 'Metadata (key=value a line)', true)}
          </div>
          <fieldset>
            <legend>Send</legend>
            <label class="check">
              <input type="radio" name="mode" checked={mode === 'async'} onChange={() => setMode('async')} />
              <span>Queue it and follow its status</span>
            </label>
            <label class="check">
              <input type="radio" name="mode" checked={mode === 'sync'} onChange={() => setMode('sync')} />
              <span>Wait for the outcome (up to {SYNC_WAIT_S} s)</span>
            </label>
          </fieldset>
          <div>
            <button type="submit" disabled={busy}>
              {busy ? 'Sending…' : 'Send'}
            </button>
          </div>
        </div>
      </form>
      {failure && <ErrorBox error={failure} title="Not sent" />}
      {sent && (
        <div class="card outcome" role="status" aria-live="polite" data-status={sent.status}>
          <strong>
            Message <code>{sent.id}</code>: <span class="status">{sent.status}</span>
          </strong>
          {sent.detail && <span class="muted"> {sent.detail}</span>}
          {!FINAL_STATUSES.has(sent.status) && mode === 'async' && <p class="muted small">Following its status…</p>}
        </div>
      )}
    </section>
  );
}
