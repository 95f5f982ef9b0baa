// The test inbox: accounts (/inbox: create, show credentials and client
// settings, delete), an account's caught mail (/inbox/<user>: search, new
// mail shown as it comes), one message (/inbox/<user>/<uid>: the HTML in a
// frame sandboxed without scripts and fetching nothing, the text, the
// headers, attachments, the source; delete).
import { useRoute } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { useLiveEvents } from '../api/live';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { MailBody } from '../components/MailBody';
import { Empty, ErrorBox, Loading } from '../components/states';
import { formatAgo } from '../lib/format';
import { formatBytes, formatMailboxes, inboxPlace, type Mailbox } from '../lib/inbox';
import { mailFor } from '../lib/live';
import { useSession } from '../session';

// New mail is announced by the event stream (inbox_mail); without it (a
// login that may not read events) an account's list is read again this
// often while it is shown, so new mail appears without a reload.
const REFRESH_MS = 3000;

interface Account {
  user: string;
  address: string;
  created_at: string;
  used_bytes: number;
  catch_all: boolean;
  password?: string;
  smtp?: unknown;
  imap?: unknown;
  pop3?: unknown;
}

// A listing's entry: its addresses as the header gave them.
interface CaughtSummary {
  uid: number;
  from: string;
  to: string;
  subject: string;
  received_at: string;
  size: number;
  seen: boolean;
  has_attachments: boolean;
}

// One message read: its addresses parsed.
interface CaughtMessage extends Omit<CaughtSummary, 'from' | 'to'> {
  from: Mailbox[];
  to: Mailbox[];
  text: string | null;
  html: string | null;
  blocked_remote: number;
  headers: { name: string; value: string }[];
  attachments: { id: string; filename: string; content_type: string; size: number; inline: boolean; url: string }[];
}

const accountPath = (user: string) => `/v1/test-accounts/${encodeURIComponent(user)}`;

export function Inbox() {
  const { user, uid } = inboxPlace(useRoute().params.rest);
  if (user && uid) return <MessageView user={user} uid={uid} />;
  if (user) return <AccountView user={user} />;
  return <Accounts />;
}

function Accounts() {
  const { api } = useSession();
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [made, setMade] = useState<Account | null>(null);

  const load = () =>
    api
      .get<{ data: Account[] }>('/v1/test-accounts')
      .then((r) => {
        setAccounts(r.data);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  useEffect(() => {
    load();
  }, [api]);

  const create = async () => {
    try {
      setMade(await api.post<Account>('/v1/test-accounts'));
    } catch (e) {
      setError(e as ApiError);
    }
    load();
  };
  const remove = async (user: string) => {
    try {
      await api.delete(accountPath(user));
    } catch (e) {
      setError(e as ApiError);
    }
    load();
  };

  return (
    <section class="page">
      <div class="page-head">
        <h1>Test inbox</h1>
        <button type="button" onClick={create}>
          New account
        </button>
      </div>
      {error && <ErrorBox error={error} title="Cannot read the accounts" />}
      {made && (
        <div class="card secret" role="status">
          <strong>Account {made.user} created.</strong>
          <p>Its password is shown this once; mail sent with these credentials (SMTP or an API key bound to it) is caught here.</p>
          <pre class="source" aria-label="Credentials and client settings">
            {JSON.stringify({ user: made.user, password: made.password, address: made.address, smtp: made.smtp, imap: made.imap, pop3: made.pop3 }, null, 2)}
          </pre>
          <div>
            <button type="button" onClick={() => setMade(null)}>
              I have kept it
            </button>
          </div>
        </div>
      )}
      {!accounts && !error && <Loading what="Reading the accounts" />}
      {accounts && accounts.length === 0 && <Empty title="No test accounts">Create one to catch mail.</Empty>}
      {accounts && accounts.length > 0 && (
        <DataTable label="Test accounts" columns={['Account', 'Address', 'Used', 'Created', <span class="visually-hidden">Actions</span>]}>
          {accounts.map((a) => (
            <tr key={a.user} data-account={a.user}>
              <td>
                <a href={`/inbox/${encodeURIComponent(a.user)}`}>{a.user}</a>
              </td>
              <td>{a.address}</td>
              <td>{formatBytes(a.used_bytes)}</td>
              <td>{formatAgo(a.created_at)}</td>
              <td class="actions">
                {!a.catch_all && <ConfirmButton label="Delete…" confirm={`Delete ${a.user}`} onConfirm={() => remove(a.user)} />}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function AccountView({ user }: { user: string }) {
  const { api } = useSession();
  const [search, setSearch] = useState('');
  const [messages, setMessages] = useState<CaughtSummary[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  // New mail shows without a reload: read again when the event stream says
  // this account got some (and after a reconnect); every REFRESH_MS only
  // when the stream is refused (a login that may not read events).
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const stream = useLiveEvents(['inbox_mail'], true, (e) => e.type === 'inbox_mail' && mailFor(e, user) && reload(), reload);
  useEffect(() => {
    let stopped = false;
    const query = search ? `?text=${encodeURIComponent(search)}` : '';
    const load = () =>
      api
        .get<{ data: CaughtSummary[] }>(`${accountPath(user)}/messages${query}`)
        .then((r) => !stopped && (setMessages(r.data), setError(null)))
        .catch((e: ApiError) => !stopped && setError(e));
    load();
    const timer = stream === 'closed' ? setInterval(() => document.visibilityState === 'visible' && load(), REFRESH_MS) : 0;
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, user, search, version, stream === 'closed']);

  return (
    <section class="page">
      <p>
        <a href="/inbox">← Test inbox</a>
      </p>
      <h1>{user}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="inbox-search">Search the text</label>
          <input id="inbox-search" type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </div>
      </form>
      {error && <ErrorBox error={error} title="Cannot read the mail" />}
      {!messages && !error && <Loading what="Reading the mail" />}
      {messages && messages.length === 0 && <Empty title="No mail here yet">New mail appears here as it is caught.</Empty>}
      {messages && messages.length > 0 && (
        <DataTable label="Caught mail" columns={['From', 'Subject', 'Received', 'Size']}>
          {messages.map((m) => (
            <tr key={m.uid} data-uid={m.uid} class={m.seen ? '' : 'unseen'}>
              <td>{m.from}</td>
              <td>
                <a href={`/inbox/${encodeURIComponent(user)}/${m.uid}`}>{m.subject || '(no subject)'}</a>
                {m.has_attachments ? ' 📎' : ''}
              </td>
              <td>{formatAgo(m.received_at)}</td>
              <td>{formatBytes(m.size)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function MessageView({ user, uid }: { user: string; uid: string }) {
  const { api } = useSession();
  const path = `${accountPath(user)}/messages/${encodeURIComponent(uid)}`;
  const [m, setM] = useState<CaughtMessage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [gone, setGone] = useState(false);

  useEffect(() => {
    api
      .get<CaughtMessage>(path)
      .then((d) => {
        setM(d);
      })
      .catch((e: ApiError) => setError(e));
  }, [api, path]);

  // Attachments need the key: fetched, then handed to the browser.
  const download = async (url: string, filename: string) => {
    try {
      const blob = await api.blob(url);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  if (gone) {
    return (
      <section class="page">
        <Empty title="Deleted">
          Back to <a href={`/inbox/${encodeURIComponent(user)}`}>{user}</a>.
        </Empty>
      </section>
    );
  }
  return (
    <section class="page">
      <p>
        <a href={`/inbox/${encodeURIComponent(user)}`}>← {user}</a>
      </p>
      {error && <ErrorBox error={error} title="Cannot read the message" />}
      {!m && !error && <Loading what="Reading the message" />}
      {m && (
        <>
          <div class="page-head">
            <h1>{m.subject || '(no subject)'}</h1>
            <ConfirmButton
              label="Delete…"
              confirm="Delete this message"
              onConfirm={() =>
                api
                  .delete(path)
                  .then(() => setGone(true))
                  .catch((e: ApiError) => setError(e))
              }
            />
          </div>
          <dl class="facts">
            <dt>From</dt>
            <dd>{formatMailboxes(m.from)}</dd>
            <dt>To</dt>
            <dd>{formatMailboxes(m.to)}</dd>
            <dt>Received</dt>
            <dd>{formatAgo(m.received_at)}</dd>
          </dl>
          {m.attachments.length > 0 && (
            <ul class="attachments" aria-label="Attachments">
              {m.attachments.map((a) => (
                <li key={a.id}>
                  <button type="button" class="secondary" onClick={() => download(a.url, a.filename)}>
                    {a.filename || '(unnamed)'}
                  </button>{' '}
                  <span class="muted small">
                    {a.content_type}, {formatBytes(a.size)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <MailBody view={m} loadSource={() => api.text(`${path}/raw`)} />
        </>
      )}
    </section>
  );
}
