// Providers and routing: the strategy; each provider's state, checks and
// weight, live from /v1/events; drain, pause (asking first), resume,
// remove (asking first; it leaves once its attempts in flight answer); a
// new provider. Needs the admin scope to change anything.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { openEventStream } from '../api/events';
import type { ListOf, Provider, ProviderDetail, RoutingView } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { Empty, ErrorBox, Loading } from '../components/states';
import { useAction } from '../components/useAction';
import { stateLabel, stateTone } from '../lib/format';
import { nodeLines } from '../lib/providers';
import { adminActions, newProviderBody, PROVIDER_TYPES, type NewProvider } from '../lib/providers-admin';
import { EditProvider, ProviderChecks } from '../components/ProviderEdit';
import { useSession } from '../session';

const ACTION_LABELS = { drain: 'Drain', pause: 'Pause', resume: 'Resume' } as const;

export function Providers() {
  const { api, key } = useSession();
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [routing, setRouting] = useState<RoutingView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const load = () =>
    Promise.all([api.get<ListOf<Provider>>('/v1/providers'), api.get<RoutingView>('/v1/routing')])
      .then(([list, r]) => {
        setProviders(list.data);
        setRouting(r);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  useEffect(() => {
    load();
  }, [api]);

  // Live: any routing event (a state change, a provider added or gone, a
  // reload) reads the list again, at most once a frame.
  useEffect(() => {
    let frame = 0;
    const stream = openEventStream({
      url: '/v1/events',
      key: () => key,
      onEvent: () => {
        if (!frame) frame = requestAnimationFrame(() => ((frame = 0), load()));
      },
    });
    return () => {
      if (frame) cancelAnimationFrame(frame);
      stream.close();
    };
  }, [api, key]);

  const { error: actionError, run: change } = useAction(load);

  return (
    <section class="page">
      <h1>Providers</h1>
      {error && <ErrorBox error={error} title="Cannot read the providers" />}
      {actionError && <ErrorBox error={actionError} title="Not changed" />}
      {!providers && !error && <Loading what="Reading the providers" />}
      {routing && <RoutingCard routing={routing} onSave={(strategy) => change(() => api.request('PUT', '/v1/routing', { strategy }))} />}
      <h2>Providers</h2>
      {providers && providers.length === 0 && <Empty title="No providers yet">Add one below.</Empty>}
      {providers && providers.length > 0 && (
        <DataTable label="Providers" columns={['Name', 'State', 'Pool', 'Weight', 'Checks', <span class="visually-hidden">Actions</span>]}>
          {providers.map((p) => (
            <Fragment key={p.name}>
            <tr data-provider={p.name}>
              <td>
                <strong>{p.name}</strong>
                <div class="muted small">{p.type}</div>
              </td>
              <td>
                <span class={`badge tone-${stateTone(p.state)}`} data-state={p.state}>
                  {stateLabel(p.state)}
                </span>
                <div class="muted small">{p.reason}</div>
                <NodeStates provider={p} />
              </td>
              <td>{p.pool}</td>
              <td>
                <WeightField provider={p} onSave={(weight) => change(() => api.request('PUT', `/v1/providers/${p.name}`, { weight }))} />
              </td>
              <td class="small">
                <ProviderChecks provider={p as ProviderDetail} />
              </td>
              <td class="actions">
                <button
                  type="button"
                  class="secondary"
                  aria-expanded={editing === p.name}
                  aria-controls={`edit-${p.name}`}
                  onClick={() => setEditing(editing === p.name ? null : p.name)}
                >
                  Edit
                </button>
                {adminActions(p).map((a) =>
                  a === 'resume' ? (
                    <button key={a} type="button" onClick={() => change(() => api.post(`/v1/providers/${p.name}/resume`))}>
                      Resume
                    </button>
                  ) : (
                    <ConfirmButton
                      key={a}
                      label={`${ACTION_LABELS[a]}…`}
                      confirm={`${ACTION_LABELS[a]} ${p.name}`}
                      onConfirm={() => change(() => api.post(`/v1/providers/${p.name}/${a}`))}
                    />
                  ),
                )}
                <ConfirmButton label="Remove…" confirm={`Remove ${p.name}`} onConfirm={() => change(() => api.delete(`/v1/providers/${p.name}`))} />
              </td>
            </tr>
            {editing === p.name && (
              <tr class="edit-row" data-editing={p.name}>
                <td colSpan={6}>
                  <EditProvider
                    provider={p as ProviderDetail}
                    onSave={(body) => api.request<ProviderDetail>('PATCH', `/v1/providers/${encodeURIComponent(p.name)}`, body)}
                    onDone={() => {
                      setEditing(null);
                      load();
                    }}
                  />
                </td>
              </tr>
            )}
            </Fragment>
          ))}
        </DataTable>
      )}
      <AddProvider onAdd={(body) => change(() => api.post('/v1/providers', body))} />
    </section>
  );
}

// How each node sharing the store sees the provider, when there are several
// (docs/routing.md "Health on several nodes"); read with the list.
function NodeStates({ provider }: { provider: Provider }) {
  const lines = nodeLines(provider.nodes);
  if (lines.length === 0) return null;
  return (
    <ul class="node-states small" aria-label={`${provider.name} on each node`}>
      {lines.map((n) => (
        <li key={n.node} data-node={n.node} data-state={n.state} title={n.title}>
          <span class={`dot tone-${n.stale ? 'idle' : stateTone(n.state)}`} aria-hidden="true" />
          {n.node}: {n.stale ? 'stale, ' : ''}
          {stateLabel(n.state)}
        </li>
      ))}
    </ul>
  );
}

function RoutingCard({ routing, onSave }: { routing: RoutingView; onSave: (strategy: string) => void }) {
  const [strategy, setStrategy] = useState(routing.strategy);
  useEffect(() => setStrategy(routing.strategy), [routing.strategy]);
  return (
    <form
      class="card form"
      aria-label="Routing"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(strategy);
      }}
    >
      <h2>Routing</h2>
      <label for="routing-strategy">Strategy</label>
      <div class="row">
        <select id="routing-strategy" value={strategy} onChange={(e) => setStrategy((e.target as HTMLSelectElement).value)}>
          {routing.strategies.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="submit" disabled={strategy === routing.strategy}>
          Save strategy
        </button>
      </div>
      <p class="muted small">
        Pools:{' '}
        {routing.pools.map((p) => `${p.name} (${p.providers.join(', ') || 'empty'}${p.active ? '' : ', no provider taking mail'})`).join('; ')}
      </p>
    </form>
  );
}

function WeightField({ provider, onSave }: { provider: Provider; onSave: (weight: number) => void }) {
  const [value, setValue] = useState(String(provider.weight));
  useEffect(() => setValue(String(provider.weight)), [provider.weight]);
  const changed = value !== String(provider.weight) && Number(value) >= 0 && value !== '';
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (changed) onSave(Number(value));
      }}
    >
      <input
        type="number"
        min="0"
        aria-label={`Weight of ${provider.name}`}
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
      />
      {changed && <button type="submit">Save</button>}
    </form>
  );
}

const NO_PROVIDER: NewProvider = { name: '', type: 'smtp', pool: '', weight: '', settings: '' };

function AddProvider({ onAdd }: { onAdd: (body: Record<string, unknown>) => Promise<boolean> }) {
  const [p, setP] = useState<NewProvider>(NO_PROVIDER);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (k: keyof NewProvider) => (e: Event) => setP({ ...p, [k]: (e.target as HTMLInputElement).value });
  return (
    <form
      class="card form"
      aria-labelledby="add-provider"
      onSubmit={async (e) => {
        e.preventDefault();
        const built = newProviderBody(p);
        setProblem(built.error ?? null);
        if (!built.body) return;
        if (await onAdd(built.body)) setP(NO_PROVIDER);
      }}
    >
      <h2 id="add-provider">Add a provider</h2>
      <div class="row">
        <div class="field">
          <label for="provider-name">Name</label>
          <input id="provider-name" value={p.name} onInput={set('name')} />
        </div>
        <div class="field">
          <label for="provider-type">Type</label>
          <select id="provider-type" value={p.type} onChange={set('type')}>
            {PROVIDER_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="row">
        <div class="field">
          <label for="provider-pool">Pool</label>
          <input id="provider-pool" value={p.pool} onInput={set('pool')} placeholder="default" />
        </div>
        <div class="field">
          <label for="provider-weight">Weight</label>
          <input id="provider-weight" type="number" min="0" value={p.weight} onInput={set('weight')} />
        </div>
      </div>
      <div class="field">
        <label for="provider-settings">Settings (key=value a line, as in [[providers]]: docs/configuration.md)</label>
        <textarea id="provider-settings" rows={4} value={p.settings} onInput={set('settings')} />
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <div>
        <button type="submit">Add provider</button>
      </div>
    </form>
  );
}
