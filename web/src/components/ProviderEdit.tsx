// A provider's checks as the Providers screen shows them (probe, heartbeat,
// outlier detection), and its settings edited in place: only what changed
// is sent (PATCH /v1/providers/{name}), credentials stay unless retyped.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProviderDetail } from '../api/types';
import { formatAgo, formatLatency } from '../lib/format';
import { editFormOf, hasChanges, MASKED, providerEditBody, type ProviderEdit } from '../lib/provider-edit';
import { FieldProblem, useSubmit } from './FieldProblem';

export function ProviderChecks({ provider: p }: { provider: ProviderDetail }) {
  const probe = p.probe;
  return (
    <ul class="checks">
      <li data-check="probe">
        {!probe?.enabled
          ? 'No probe'
          : !probe.last_at
            ? 'Probe: not run yet'
            : `Probe ${probe.last_ok ? 'ok' : 'failing'} ${formatLatency(probe.latency_ms)}, ${formatAgo(probe.last_at)}`}
        {probe?.enabled && !probe.last_ok && probe.detail && <div class="muted break">{probe.detail}</div>}
      </li>
      {p.heartbeat && (
        <li data-check="heartbeat">
          Heartbeat {p.heartbeat.last_at ? formatAgo(p.heartbeat.last_at) : 'never'}, due every {Math.round(p.heartbeat.ttl_ms / 1000)}&nbsp;s
        </li>
      )}
      {p.outlier && p.outlier.phase !== 'ok' && (
        <li data-check="outlier">
          {p.outlier.phase === 'ejected' ? 'Ejected' : 'On trial'} ({p.outlier.ejections} in a row)
        </li>
      )}
    </ul>
  );
}

const NUMBER_FIELDS = [
  { key: 'weight', label: 'Weight' },
  { key: 'priority', label: 'Priority' },
  { key: 'rate_limit', label: 'Rate limit (msg/s)' },
  { key: 'burst', label: 'Burst' },
  { key: 'max_concurrency', label: 'Max concurrency' },
] as const;

export function EditProvider({ provider, onSave, onDone }: {
  provider: ProviderDetail;
  onSave: (body: Record<string, unknown>) => Promise<unknown>;
  onDone: () => void;
}) {
  // The provider as it was when the form opened: what changes are measured
  // against, however often the list is read again meanwhile.
  const [base] = useState(provider);
  const [form, setForm] = useState<ProviderEdit>(() => editFormOf(provider));
  const { busy, problem, setProblem, submit: call } = useSubmit();
  const id = (k: string) => `edit-${base.name}-${k}`;
  // Opened from the row's Edit button: the keyboard goes on in the form.
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const set = (k: keyof ProviderEdit) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const invalid = (k: string) => (problem?.field === k || problem?.field?.startsWith(`${k}.`) ? 'true' : undefined);

  async function submit(e: Event) {
    e.preventDefault();
    const built = providerEditBody(base, form);
    if (!built.body) return setProblem({ message: built.error!, field: built.field });
    const body = built.body;
    if (!hasChanges(built)) return setProblem({ message: 'Nothing changed.' });
    if (await call(async () => void (await onSave(body)))) onDone();
  }

  return (
    <form id={`edit-${base.name}`} class="card form edit-provider" aria-label={`Edit ${base.name}`} onSubmit={submit}>
      <h3>
        Edit {base.name} <span class="muted small">({base.type}, {base.source})</span>
      </h3>
      <div class="row">
        <div class="field">
          <label for={id('pool')}>Pool</label>
          <input ref={first} id={id('pool')} value={form.pool} onInput={set('pool')} aria-invalid={invalid('pool')} />
        </div>
        {NUMBER_FIELDS.map((f) => (
          <div class="field narrow" key={f.key}>
            <label for={id(f.key)}>{f.label}</label>
            <input id={id(f.key)} inputMode="decimal" value={form[f.key]} onInput={set(f.key)} aria-invalid={invalid(f.key)} />
          </div>
        ))}
      </div>
      <label class="check">
        <input type="checkbox" checked={form.probe} onChange={() => setForm({ ...form, probe: !form.probe })} />
        <span>Probe it (a cheap authenticated call every few seconds)</span>
      </label>
      <label for={id('settings')}>Settings (key = value a line)</label>
      <textarea id={id('settings')} rows={5} value={form.settings} onInput={set('settings')} aria-invalid={invalid('settings')} aria-describedby={id('settings-help')} />
      <p id={id('settings-help')} class="muted small">
        Credentials show as {MASKED}: leave them so to keep them, or type a new value. A line removed removes the setting.
      </p>
      <FieldProblem id={id('problem')} problem={problem} />
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
