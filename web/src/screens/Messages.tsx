// The message log (/messages): search by status, recipient, tag, provider
// and time, kept in the URL, paged with the API's cursor; a message's page
// (/messages/<id>): its recipients, its timeline of attempts and reports,
// its content (HTML in a sandboxed frame, text, headers, source); cancel
// and retry.
import { useLocation, useRoute } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { useLiveEvents } from '../api/live';
import type { MessageDetail, MessagePage, MessageStatus } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { MailBody, type MailView } from '../components/MailBody';
import { Empty, ErrorBox, Loading } from '../components/states';
import { formatAgo, formatLatency } from '../lib/format';
import { followMessage } from '../lib/live';
import { canCancel, canRetry, filterFromSearch, filterToSearch, isFiltered, listQuery, NO_FILTER, statusTone, STATUSES, type ListFilter } from '../lib/messages';
import { useSession } from '../session';

export function Messages() {
  const { params } = useRoute();
  return params.rest ? <MessageView id={params.rest} /> : <MessageList />;
}

function StatusBadge({ status }: { status: MessageStatus }) {
  return (
    <span class={`badge tone-${statusTone(status)}`} data-status={status}>
      {status}
    </span>
  );
}

function MessageList() {
  const { api } = useSession();
  const { query, route } = useLocation();
  // The search lives in the URL, so a link reproduces it.
  const filter = filterFromSearch(query);
  const search = filterToSearch(filter);
  // The form's text fields, applied on submit.
  const [draft, setDraft] = useState<ListFilter>(filter);
  // Cursors of the pages before this one, for "Newer".
  const [back, setBack] = useState<(string | null)[]>([]);
  const [page, setPage] = useState<MessagePage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    setPage(null);
    setDraft(filter);
    api
      .get<MessagePage>(listQuery(filter))
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  }, [api, search]);

  const go = (next: ListFilter) => route(`/messages${filterToSearch(next)}`);
  const refine = (change: Partial<ListFilter>) => {
    setBack([]);
    go({ ...draft, ...change, cursor: null });
  };
  const text = (key: 'recipient' | 'tag' | 'provider', label: string, placeholder: string) => (
    <div class="field">
      <label for={`filter-${key}`}>{label}</label>
      <input
        id={`filter-${key}`}
        type={key === 'recipient' ? 'email' : 'text'}
        placeholder={placeholder}
        value={draft[key]}
        onInput={(e) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value })}
      />
    </div>
  );

  return (
    <section class="page">
      <h1>Messages</h1>
      <form
        class="filters"
        role="search"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          refine({});
        }}
      >
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" value={draft.status} onChange={(e) => refine({ status: (e.target as HTMLSelectElement).value as ListFilter['status'] })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        {text('recipient', 'Recipient', 'someone@example.org')}
        {text('tag', 'Tag', 'welcome')}
        {text('provider', 'Provider', 'last attempt’s')}
        <div class="field">
          <label for="filter-since">Since</label>
          <input id="filter-since" type="datetime-local" value={draft.since} onChange={(e) => refine({ since: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="filter-until">Until</label>
          <input id="filter-until" type="datetime-local" value={draft.until} onChange={(e) => refine({ until: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <button type="submit">Search</button>
          {isFiltered(filter) && (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setBack([]);
                go(NO_FILTER);
              }}
            >
              Clear
            </button>
          )}
        </div>
      </form>
      {error && <ErrorBox error={error} title={error.field ? 'Cannot search the messages' : 'Cannot read the messages'} />}
      {!page && !error && <Loading what="Reading the messages" />}
      {page && page.data.length === 0 && (
        <Empty title="No messages here">{isFiltered(filter) ? 'Nothing matches these filters.' : 'Send one from Compose, the API or SMTP.'}</Empty>
      )}
      {page && page.data.length > 0 && (
        <DataTable label="Messages" columns={['Status', 'Subject', 'To', 'Tags', 'Provider', 'Created']}>
          {page.data.map((m) => (
            <tr key={m.id} data-message={m.id}>
              <td>
                <StatusBadge status={m.status} />
              </td>
              <td>
                <a href={`/messages/${m.id}`}>{m.subject || '(no subject)'}</a>
              </td>
              <td>{[...m.to, ...m.cc, ...m.bcc].join(', ')}</td>
              <td>{m.tags.join(', ')}</td>
              <td>{m.provider ?? '–'}</td>
              <td>{formatAgo(m.created_at)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <div class="pager">
        <button
          type="button"
          class="secondary"
          disabled={back.length === 0}
          onClick={() => {
            go({ ...filter, cursor: back[back.length - 1] });
            setBack(back.slice(0, -1));
          }}
        >
          Newer
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!page?.next_cursor}
          onClick={() => {
            setBack([...back, filter.cursor]);
            go({ ...filter, cursor: page!.next_cursor });
          }}
        >
          Older
        </button>
      </div>
    </section>
  );
}

function MessageView({ id }: { id: string }) {
  const { api } = useSession();
  const [m, setM] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [content, setContent] = useState<MailView | null>(null);
  const [contentError, setContentError] = useState<ApiError | null>(null);
  const path = `/v1/messages/${encodeURIComponent(id)}`;
  useEffect(() => {
    api
      .get<MailView>(`${path}/content`)
      .then(setContent)
      .catch((e: ApiError) => setContentError(e));
  }, [api, id]);

  const load = () =>
    api
      .get<MessageDetail>(`/v1/messages/${encodeURIComponent(id)}`)
      .then((d) => {
        setM(d);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  useEffect(() => {
    load();
  }, [api, id]);
  // Its status changes come from the event stream: the page reads the
  // message again (timeline and all) when one names it, or may have left
  // it out, and after a reconnect.
  useLiveEvents(
    ['message_status'],
    true,
    (e) => {
      if (e.type !== 'message_status') return;
      const seen = followMessage(e, id);
      if (seen.status || seen.reread) load();
    },
    load,
  );

  async function act(action: 'cancel' | 'retry') {
    try {
      await api.post(`/v1/messages/${encodeURIComponent(id)}/${action}`);
      setActionError(null);
    } catch (e) {
      setActionError(e as ApiError);
    }
    load();
  }

  return (
    <section class="page">
      <p>
        <a href="/messages">← Messages</a>
      </p>
      {error && <ErrorBox error={error} title={error.status === 404 ? 'No such message' : 'Cannot read the message'} />}
      {!m && !error && <Loading what="Reading the message" />}
      {m && (
        <>
          <div class="page-head">
            <h1>{m.subject || '(no subject)'}</h1>
            <StatusBadge status={m.status} />
          </div>
          <dl class="facts">
            <dt>Id</dt>
            <dd>
              <code>{m.id}</code>
            </dd>
            <dt>From</dt>
            <dd>{m.from}</dd>
            <dt>Attempts</dt>
            <dd>{m.attempts}</dd>
            <dt>Provider</dt>
            <dd>{m.provider ?? '–'}</dd>
            {m.last_error && (
              <>
                <dt>Last error</dt>
                <dd>{m.last_error}</dd>
              </>
            )}
            {m.tags.length > 0 && (
              <>
                <dt>Tags</dt>
                <dd>{m.tags.join(', ')}</dd>
              </>
            )}
          </dl>
          <div class="actions-bar">
            {canCancel(m.status) && (
              <ConfirmButton label="Cancel…" confirm="Cancel this message" keep="Keep it" onConfirm={() => act('cancel')} />
            )}
            {canRetry(m.status, m.refused_recipients) && (
              <button type="button" onClick={() => act('retry')}>
                Retry
              </button>
            )}
          </div>
          {actionError && <ErrorBox error={actionError} title="Not done" />}
          <h2>Recipients</h2>
          <DataTable label="Recipients" columns={['Address', 'State', 'Provider', 'Detail']}>
            {m.recipients.map((r) => (
              <tr key={r.address}>
                <td>{r.address}</td>
                <td>{r.state}</td>
                <td>{r.provider ?? '–'}</td>
                <td>{r.detail ?? ''}</td>
              </tr>
            ))}
          </DataTable>
          <h2>Timeline</h2>
          <DataTable label="Timeline" columns={['When', 'Event', 'Provider', 'Class', 'Code', 'Latency', 'Detail']}>
            {m.events.map((e) => (
              <tr key={e.seq} data-event={e.type}>
                <td>
                  <time dateTime={e.at} title={e.at}>
                    {formatAgo(e.at)}
                  </time>
                </td>
                <td>
                  <strong>{e.type}</strong>
                  {e.recipient ? ` · ${e.recipient}` : ''}
                </td>
                <td>{e.provider ?? ''}</td>
                <td>{e.class ?? ''}</td>
                <td>{e.code ?? ''}</td>
                <td>{e.latency_ms ? formatLatency(e.latency_ms) : ''}</td>
                <td class="muted">{e.detail ?? ''}</td>
              </tr>
            ))}
          </DataTable>
          <h2>Content</h2>
          {contentError && <ErrorBox error={contentError} title="Cannot read the content" />}
          {!content && !contentError && <Loading what="Reading the content" />}
          {content && <MailBody view={content} loadSource={() => api.text(`${path}/raw`)} />}
        </>
      )}
    </section>
  );
}
