// API keys: the list, a new key (its secret shown once), removal after a
// confirmation. Needs the admin scope.
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { ApiKey, ApiKeyExtras, ListOf } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { Empty, ErrorBox, Loading } from '../components/states';
import { formatAgo } from '../lib/format';
import { canCarryOn, keyNameProblem, SCOPES } from '../lib/keys';
import { useSession } from '../session';

export function Keys() {
  const { api } = useSession();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [made, setMade] = useState<ApiKey | null>(null);

  const load = () =>
    api
      .get<ListOf<ApiKey>>('/v1/keys')
      .then((r) => {
        setKeys(r.data);
        setError(null);
      })
      .catch((e: ApiError) => {
        setKeys(null);
        setError(e);
      });
  useEffect(() => {
    load();
  }, [api]);

  return (
    <section class="page">
      <h1>Keys</h1>
      {error && <ErrorBox error={error} title="Cannot read the keys" />}
      {made && <NewSecret apiKey={made} onDone={() => setMade(null)} />}
      <CreateKey
        onCreated={(k) => {
          setMade(k);
          load();
        }}
      />
      <h2>Existing keys</h2>
      {keys === null && !error && <Loading what="Reading the keys" />}
      {keys !== null && keys.length === 0 && (
        <Empty title="No keys yet">
          Loopback callers get in without one. The first key closes the node to callers without a key.
        </Empty>
      )}
      {keys !== null && keys.length > 0 && <KeyTable keys={keys} onDeleted={load} />}
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (k: ApiKey) => void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['send']);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const local = keyNameProblem(name) ?? (scopes.length ? null : 'Pick at least one scope.');
    if (local) return setProblem(local);
    setBusy(true);
    try {
      const k = await api.post<ApiKey>('/v1/keys', { name, scopes });
      setName('');
      setProblem(null);
      onCreated(k);
    } catch (err) {
      setProblem((err as ApiError).message);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (scope: string) =>
    setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="new-key">
      <h2 id="new-key">New key</h2>
      <label for="key-name">Name</label>
      <input
        id="key-name"
        value={name}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? 'key-problem' : undefined}
        autoComplete="off"
      />
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s.name} class="check">
            <input type="checkbox" checked={scopes.includes(s.name)} onChange={() => toggle(s.name)} />
            <span>
              {s.name} <span class="muted small">({s.help})</span>
            </span>
          </label>
        ))}
      </fieldset>
      {problem && (
        <p id="key-problem" class="field-error" role="alert">
          {problem}
        </p>
      )}
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function NewSecret({ apiKey, onDone }: { apiKey: ApiKey; onDone: () => void }) {
  const session = useSession();
  // Signed in without a key, so the node was open: with a key now, the
  // UI's own calls need one from here on.
  const mustSwitch = session.key === null;
  return (
    <div class="card secret" role="status">
      <strong>Key “{apiKey.name}” created.</strong>
      <p>Its secret is shown this once:</p>
      <code class="secret-value">{apiKey.secret}</code>
      {mustSwitch && canCarryOn(apiKey.scopes) && (
        <p class="notice">This node now needs a key; this tab goes on with the new one.</p>
      )}
      {mustSwitch && !canCarryOn(apiKey.scopes) && (
        <p class="notice">This node now needs a key with the read scope for this UI: sign in with one.</p>
      )}
      <div>
        <button
          type="button"
          onClick={() => {
            if (mustSwitch && canCarryOn(apiKey.scopes)) session.switchKey(apiKey.secret!);
            else if (mustSwitch) session.signOut();
            onDone();
          }}
        >
          I have kept it
        </button>
      </div>
    </div>
  );
}

// Columns shown only when the API gives them (expiry and last use are
// newer than the list's first fields).
const EXTRA_COLUMNS = [
  { field: 'expires_at', title: 'Expires', show: (v?: string | null) => (v ? formatWhen(v) : 'never') },
  { field: 'last_used_at', title: 'Last used', show: (v?: string | null) => (v ? formatAgo(v) : 'never') },
] as const;

function formatWhen(iso: string): string {
  return Date.parse(iso) > Date.now() ? new Date(iso).toLocaleString() : `expired ${formatAgo(iso)}`;
}

function KeyTable({ keys, onDeleted }: { keys: ApiKey[]; onDeleted: () => void }) {
  const { api } = useSession();
  const extras = EXTRA_COLUMNS.filter((x) => keys.some((k) => x.field in k));
  const [error, setError] = useState<ApiError | null>(null);

  async function remove(name: string) {
    try {
      await api.delete(`/v1/keys/${encodeURIComponent(name)}`);
      setError(null);
      onDeleted();
    } catch (e) {
      setError(e as ApiError);
    }
  }

  return (
    <>
      {error && <ErrorBox error={error} title="The key was not deleted" />}
      <DataTable
        label="API keys"
        columns={[
          'Name',
          'Scopes',
          'Test account',
          'Created',
          ...extras.map((x) => x.title),
          <span class="visually-hidden">Actions</span>,
        ]}
      >
        {keys.map((k) => (
          <tr key={k.name} data-key={k.name}>
            <td>{k.name}</td>
            <td>{k.scopes.join(', ')}</td>
            <td>{k.test_account ?? '–'}</td>
            <td>{k.created_at ? formatAgo(k.created_at) : '–'}</td>
            {extras.map((x) => (
              <td key={x.field}>{x.show((k as ApiKeyExtras)[x.field])}</td>
            ))}
            <td class="actions">
              <ConfirmButton label="Delete…" confirm={`Delete ${k.name}`} onConfirm={() => remove(k.name)} />
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
