// Webhook endpoints (/webhooks, /webhooks/<id>): the endpoints with their
// state (enabled, failing, disabled and why); a new one with the event
// types it subscribes to, its whsec_ secret shown once; disable, enable,
// delete (asking first); an endpoint's delivery log, paged, with
// redeliver. All of it needs the admin scope (docs/events.md "Webhooks out").
import { useRoute } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { ListOf, WebhookDeliveryPage, WebhookEndpoint } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { FieldProblem, useSubmit } from '../components/FieldProblem';
import { Pager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/states';
import { useAction } from '../components/useAction';
import { formatAgo, formatLatency } from '../lib/format';
import { firstPage, nextPage, pageNumber, previousPage, type Pages } from '../lib/paging';
import { deliveriesPath, deliveryTone, endpointState, lastOutcome, newEndpointBody, subscribedLabel, WEBHOOK_EVENT_TYPES } from '../lib/webhooks';
import { useSession } from '../session';

export function Webhooks() {
  const { params } = useRoute();
  return params.rest ? <EndpointView id={params.rest} /> : <EndpointList />;
}

const endpointPath = (id: string) => `/v1/webhook-endpoints/${encodeURIComponent(id)}`;

function StateBadge({ endpoint }: { endpoint: WebhookEndpoint }) {
  const s = endpointState(endpoint);
  return (
    <>
      <span class={`badge tone-${s.tone}`} data-endpoint-state={s.label.toLowerCase()}>
        {s.label}
      </span>
      {s.detail && <div class="muted small break">{s.detail}</div>}
    </>
  );
}

// Disable or enable (both at once, no question: either is undone by the
// other), delete after confirming.
function EndpointActions({ endpoint, onChange }: { endpoint: WebhookEndpoint; onChange: (call: () => Promise<unknown>, deleted?: boolean) => void }) {
  const { api } = useSession();
  const path = endpointPath(endpoint.id);
  return (
    <>
      {endpoint.enabled ? (
        <button type="button" class="secondary" onClick={() => onChange(() => api.post(`${path}/disable`))}>
          Disable
        </button>
      ) : (
        <button type="button" onClick={() => onChange(() => api.post(`${path}/enable`))}>
          Enable
        </button>
      )}
      <ConfirmButton label="Delete…" confirm="Delete endpoint and its log" onConfirm={() => onChange(() => api.delete(path), true)} />
    </>
  );
}

function EndpointList() {
  const { api } = useSession();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [made, setMade] = useState<WebhookEndpoint | null>(null);

  const load = () =>
    api
      .get<ListOf<WebhookEndpoint>>('/v1/webhook-endpoints')
      .then((r) => {
        setEndpoints(r.data);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  useEffect(() => {
    load();
  }, [api]);

  const { error: actionError, run: change } = useAction(load);

  return (
    <section class="page">
      <h1>Webhooks</h1>
      <p class="muted">Your endpoints, told of every change of a message's status and each recipient's state, signed the Standard Webhooks way.</p>
      {made && <NewSecret endpoint={made} onDone={() => setMade(null)} />}
      {actionError && <ErrorBox error={actionError} title="Not changed" />}
      {error && <ErrorBox error={error} title="Cannot read the webhook endpoints" />}
      {!endpoints && !error && <Loading what="Reading the webhook endpoints" />}
      {endpoints && endpoints.length === 0 && <Empty title="No endpoint yet">Add one below: Postern posts each event to it.</Empty>}
      {endpoints && endpoints.length > 0 && (
        <DataTable label="Webhook endpoints" columns={['URL', 'State', 'Events', 'Created', <span class="visually-hidden">Actions</span>]}>
          {endpoints.map((e) => (
            <tr key={e.id} data-endpoint={e.id}>
              <td class="break">
                <a href={`/webhooks/${e.id}`}>{e.url}</a>
                <div class="muted small">{e.id}</div>
              </td>
              <td>
                <StateBadge endpoint={e} />
              </td>
              <td class="small break">{subscribedLabel(e)}</td>
              <td title={e.created_at}>{formatAgo(e.created_at)}</td>
              <td class="actions">
                <EndpointActions endpoint={e} onChange={change} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <CreateEndpoint
        onCreated={(e) => {
          setMade(e);
          load();
        }}
      />
    </section>
  );
}

function CreateEndpoint({ onCreated }: { onCreated: (e: WebhookEndpoint) => void }) {
  const { api } = useSession();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const { busy, problem, setProblem, submit: call } = useSubmit();
  const toggle = (type: string) => setEvents((s) => (s.includes(type) ? s.filter((x) => x !== type) : [...s, type]));

  async function submit(e: Event) {
    e.preventDefault();
    const built = newEndpointBody(url, events);
    const body = built.body;
    if (!body) return setProblem({ message: built.error!, field: built.field });
    await call(async () => {
      const made = await api.post<WebhookEndpoint>('/v1/webhook-endpoints', body);
      setUrl('');
      setEvents([]);
      onCreated(made);
    });
  }

  return (
    <form class="card form wide" aria-labelledby="new-endpoint" onSubmit={submit}>
      <h2 id="new-endpoint">New endpoint</h2>
      <label for="endpoint-url">URL</label>
      <input
        id="endpoint-url"
        inputMode="url"
        autoComplete="off"
        placeholder="https://app.example.com/postern-events"
        value={url}
        onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        aria-invalid={problem?.field === 'url' ? 'true' : undefined}
        aria-describedby={problem ? 'endpoint-problem' : undefined}
      />
      <fieldset class="columns">
        <legend>Events (none ticked: every type)</legend>
        {WEBHOOK_EVENT_TYPES.map((t) => (
          <label key={t.type} class="check">
            <input type="checkbox" checked={events.includes(t.type)} onChange={() => toggle(t.type)} />
            <span>
              {t.type} <span class="muted small">({t.help})</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FieldProblem id="endpoint-problem" problem={problem} />
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create endpoint'}
        </button>
      </div>
    </form>
  );
}

function NewSecret({ endpoint, onDone }: { endpoint: WebhookEndpoint; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(endpoint.secret!);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard (plain http off loopback): select it by hand
    }
  };
  return (
    <div class="card secret" role="status">
      <strong>Endpoint {endpoint.url} created.</strong>
      <p>
        Its signing secret is shown <strong>this once</strong>: keep it where your receiver can read it. You won't see it again.
      </p>
      <code class="secret-value" data-secret>
        {endpoint.secret}
      </code>
      <div class="row">
        <button type="button" class="secondary" onClick={copy}>
          Copy secret
        </button>
        <button type="button" onClick={onDone}>
          I have kept it
        </button>
      </div>
      {copied === true && <p class="muted small">Copied.</p>}
      {copied === false && <p class="notice">This browser does not allow copying here: select the secret and copy it.</p>}
    </div>
  );
}

function EndpointView({ id }: { id: string }) {
  const { api } = useSession();
  const [endpoint, setEndpoint] = useState<WebhookEndpoint | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [pages, setPages] = useState<Pages<number>>(firstPage());
  const [log, setLog] = useState<WebhookDeliveryPage | null>(null);
  const [logError, setLogError] = useState<ApiError | null>(null);

  const loadEndpoint = () =>
    api
      .get<WebhookEndpoint>(endpointPath(id))
      .then((e) => {
        setEndpoint(e);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  const loadLog = () =>
    api
      .get<WebhookDeliveryPage>(deliveriesPath(id, pages.current))
      .then((p) => {
        setLog(p);
        setLogError(null);
      })
      .catch((e: ApiError) => setLogError(e));
  useEffect(() => {
    loadEndpoint();
  }, [api, id]);
  useEffect(() => {
    setLog(null);
    loadLog();
  }, [api, id, pages]);

  const reload = () => {
    loadEndpoint();
    loadLog();
  };
  const action = useAction(reload);
  const actionError = action.error;
  const change = async (call: () => Promise<unknown>, gone = false) => {
    if ((await action.run(call)) && gone) setDeleted(true);
  };

  if (deleted) {
    return (
      <section class="page">
        <Empty title="Endpoint deleted">
          With its queue and log. Back to <a href="/webhooks">the endpoints</a>.
        </Empty>
      </section>
    );
  }
  if (error) {
    return (
      <section class="page">
        <h1>Webhook endpoint</h1>
        <ErrorBox error={error} title={error.status === 404 ? 'No such endpoint' : 'Cannot read the endpoint'} />
        <p>
          <a href="/webhooks">All endpoints</a>
        </p>
      </section>
    );
  }
  if (!endpoint) return <Loading what="Reading the endpoint" />;
  return (
    <section class="page">
      <p class="muted small">
        <a href="/webhooks">Webhooks</a> / {endpoint.id}
      </p>
      <h1 class="break">{endpoint.url}</h1>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <StateBadge endpoint={endpoint} />
        </dd>
        <dt>Events</dt>
        <dd>{subscribedLabel(endpoint)}</dd>
        <dt>Created</dt>
        <dd title={endpoint.created_at}>{formatAgo(endpoint.created_at)}</dd>
      </dl>
      <div class="actions-bar">
        <EndpointActions endpoint={endpoint} onChange={change} />
        <button type="button" class="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {actionError && <ErrorBox error={actionError} title="Not changed" />}
      <h2>Deliveries</h2>
      {logError && <ErrorBox error={logError} title="Cannot read the delivery log" />}
      {!log && !logError && <Loading what="Reading the delivery log" />}
      {log && log.data.length === 0 && <Empty title="Nothing delivered yet">Events made after the endpoint was created are posted to it.</Empty>}
      {log && log.data.length > 0 && (
        <DataTable label="Deliveries" columns={['Event', 'State', 'Last attempt', 'Message', <span class="visually-hidden">Actions</span>]}>
          {log.data.map((d) => (
            <tr key={d.id} data-delivery={d.id}>
              <td>
                <strong>{d.type}</strong>
                <div class="muted small">
                  {d.event_id}
                  {d.recipient ? ` · ${d.recipient}` : ''}
                </div>
              </td>
              <td>
                <span class={`badge tone-${deliveryTone(d)}`} data-delivery-state={d.state}>
                  {d.state}
                </span>
                <div class="muted small">
                  {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'}
                  {d.next_attempt_at ? ` · next ${formatAgo(d.next_attempt_at)}` : ''}
                </div>
              </td>
              <td class="small break">
                {lastOutcome(d)}
                {d.last_attempt_at && (
                  <div class="muted">
                    {formatAgo(d.last_attempt_at)} · {formatLatency(d.latency_ms === null ? null : d.latency_ms)}
                  </div>
                )}
              </td>
              <td>
                <a href={`/messages/${d.message_id}`}>{d.message_id}</a>
              </td>
              <td class="actions">
                <button type="button" class="secondary" onClick={() => change(() => api.post(`${endpointPath(id)}/deliveries/${d.id}/redeliver`))}>
                  Redeliver
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager
        label="Delivery log pages"
        page={pageNumber(pages)}
        hasPrevious={pages.back.length > 0}
        hasNext={log?.next_before != null}
        onPrevious={() => setPages(previousPage(pages))}
        onNext={() => setPages(nextPage(pages, log!.next_before!))}
      />
    </section>
  );
}
