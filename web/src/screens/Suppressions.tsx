// The suppression list (/suppressions): searched by the start of the
// address, paged with the API's cursor; an address added by hand, removed
// (asking first); a CSV imported (checked in the browser first) and the
// whole list exported as CSV. Reading needs the read scope, changes admin.
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { ImportResult, Suppression, SuppressionPage } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable } from '../components/DataTable';
import { saveBlob } from '../components/download';
import { FieldProblem, useSubmit } from '../components/FieldProblem';
import { Pager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/states';
import { checkSuppressionCsv } from '../lib/csv';
import { formatAgo } from '../lib/format';
import { firstPage, nextPage, pageNumber, previousPage, type Pages } from '../lib/paging';
import { newSuppressionBody, SUPPRESSION_REASONS, suppressionPath, suppressionsPath, type NewSuppression } from '../lib/suppressions';
import { useSession } from '../session';

export function Suppressions() {
  const { api } = useSession();
  const [search, setSearch] = useState('');
  const [prefix, setPrefix] = useState('');
  const [pages, setPages] = useState<Pages<string>>(firstPage());
  const [page, setPage] = useState<SuppressionPage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = () => {
    setPage(null);
    api
      .get<SuppressionPage>(suppressionsPath({ prefix, after: pages.current }))
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((e: ApiError) => setError(e));
  };
  useEffect(load, [api, prefix, pages]);

  // After a change the list is read again from its first page.
  const changed = (message: string) => {
    setNotice(message);
    setActionError(null);
    if (pages.current === null) load();
    else setPages(firstPage());
  };

  async function remove(address: string) {
    try {
      await api.delete(suppressionPath(address));
      changed(`${address} removed from the list.`);
    } catch (e) {
      setActionError(e as ApiError);
    }
  }

  return (
    <section class="page">
      <h1>Suppressions</h1>
      <p class="muted">Addresses Postern sends nothing to: hard bounces, complaints, a provider's own list, and those added here.</p>
      <form
        class="filters"
        role="search"
        aria-label="Search the list"
        onSubmit={(e) => {
          e.preventDefault();
          setPrefix(search.trim());
          setPages(firstPage());
        }}
      >
        <div class="field">
          <label for="suppression-search">Address starts with</label>
          <input id="suppression-search" type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} placeholder="ann@ or ann@example.org" />
        </div>
        <div class="field end">
          <button type="submit">Search</button>
        </div>
      </form>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {actionError && <ErrorBox error={actionError} title="Not changed" />}
      {error && <ErrorBox error={error} title="Cannot read the suppression list" />}
      {!page && !error && <Loading what="Reading the suppression list" />}
      {page && page.data.length === 0 && (
        <Empty title={prefix ? 'No address starts with that' : 'The list is empty'}>
          {prefix ? 'The domain compares without case, the part before @ with it.' : 'Bounces and complaints providers report land here; add one below or import a CSV.'}
        </Empty>
      )}
      {page && page.data.length > 0 && <SuppressionTable entries={page.data} onRemove={remove} />}
      <Pager
        label="Suppression list pages"
        page={pageNumber(pages)}
        hasPrevious={pages.back.length > 0}
        hasNext={!!page?.next_after}
        onPrevious={() => setPages(previousPage(pages))}
        onNext={() => setPages(nextPage(pages, page!.next_after!))}
      />
      <div class="cards two">
        <AddSuppression onAdded={changed} />
        <ImportExport onImported={(r) => changed(`Imported: ${r.added} added, ${r.unchanged} already on the list.`)} />
      </div>
    </section>
  );
}

function SuppressionTable({ entries, onRemove }: { entries: Suppression[]; onRemove: (address: string) => void }) {
  return (
    <DataTable label="Suppressed addresses" columns={['Address', 'Reason', 'Provider', 'Detail', 'Added', <span class="visually-hidden">Actions</span>]}>
      {entries.map((s) => (
        <tr key={s.address} data-address={s.address}>
          <td class="break">{s.address}</td>
          <td>
            <span class="badge">{s.reason}</span>
          </td>
          <td>{s.provider ?? '–'}</td>
          <td class="small break">
            {s.detail || '–'}
            {s.message_id && (
              <div>
                <a href={`/messages/${s.message_id}`}>message {s.message_id}</a>
              </div>
            )}
          </td>
          <td title={s.created_at}>{formatAgo(s.created_at)}</td>
          <td class="actions">
            <ConfirmButton label="Remove…" confirm={`Remove ${s.address}`} onConfirm={() => onRemove(s.address)} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

const NO_ENTRY: NewSuppression = { address: '', reason: 'manual', detail: '' };

function AddSuppression({ onAdded }: { onAdded: (message: string) => void }) {
  const { api } = useSession();
  const [entry, setEntry] = useState<NewSuppression>(NO_ENTRY);
  const { busy, problem, setProblem, submit: call } = useSubmit();
  const set = (k: keyof NewSuppression) => (e: Event) => setEntry({ ...entry, [k]: (e.target as HTMLInputElement).value });

  async function submit(e: Event) {
    e.preventDefault();
    const built = newSuppressionBody(entry);
    const body = built.body;
    if (!body) return setProblem({ message: built.error!, field: built.field });
    await call(async () => {
      const r = await api.post<ImportResult>('/v1/suppressions', body);
      setEntry(NO_ENTRY);
      onAdded(r.added > 0 ? `${body.address} added to the list.` : `${body.address} was on the list already.`);
    });
  }

  const invalid = (field: string) => (problem?.field === field ? 'true' : undefined);
  return (
    <form class="card form" aria-labelledby="add-suppression" onSubmit={submit}>
      <h2 id="add-suppression">Add an address</h2>
      <label for="suppression-address">Address</label>
      <input
        id="suppression-address"
        inputMode="email"
        autoComplete="off"
        value={entry.address}
        onInput={set('address')}
        aria-invalid={invalid('address')}
        aria-describedby={problem ? 'suppression-problem' : undefined}
      />
      <div class="row">
        <div class="field">
          <label for="suppression-reason">Reason</label>
          <select id="suppression-reason" value={entry.reason} onChange={set('reason')} aria-invalid={invalid('reason')}>
            {SUPPRESSION_REASONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="suppression-detail">Note (optional)</label>
          <input id="suppression-detail" value={entry.detail} onInput={set('detail')} aria-invalid={invalid('detail')} />
        </div>
      </div>
      <FieldProblem id="suppression-problem" problem={problem} />
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add address'}
        </button>
      </div>
    </form>
  );
}

interface Picked {
  name: string;
  text: string;
  entries: number;
  error?: string;
}

function ImportExport({ onImported }: { onImported: (r: ImportResult) => void }) {
  const { api } = useSession();
  const [picked, setPicked] = useState<Picked | null>(null);
  const { busy, problem, setProblem, submit: call } = useSubmit();
  const [inputKey, setInputKey] = useState(0); // a new input forgets the file

  async function pick(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    setProblem(null);
    if (!file) return setPicked(null);
    const text = await file.text();
    setPicked({ name: file.name, text, ...checkSuppressionCsv(text) });
  }

  async function upload() {
    if (!picked || picked.error) return;
    await call(async () => {
      const r = await api.postText<ImportResult>('/v1/suppressions', picked.text, 'text/csv');
      setPicked(null);
      setInputKey(inputKey + 1);
      onImported(r);
    });
  }

  const download = () => call(async () => saveBlob(await api.blob('/v1/suppressions.csv'), 'suppressions.csv'));

  return (
    <div class="card form" role="group" aria-labelledby="import-export">
      <h2 id="import-export">Import and export</h2>
      <label for="suppression-file">CSV file to import</label>
      <input key={inputKey} id="suppression-file" type="file" accept=".csv,text/csv" onChange={pick} aria-describedby="suppression-file-help" />
      <p id="suppression-file-help" class="muted small">
        A header row naming <code>address</code>, and any of reason, provider, message_id, detail, created_at. Addresses already listed stay as they are.
      </p>
      {picked && picked.error && (
        <p class="field-error" role="alert">
          {picked.name}: {picked.error}
        </p>
      )}
      {picked && !picked.error && (
        <div>
          <button type="button" disabled={busy} onClick={upload}>
            Import {picked.entries} {picked.entries === 1 ? 'entry' : 'entries'}
          </button>
        </div>
      )}
      <FieldProblem id="import-problem" problem={problem} />
      <div>
        <button type="button" class="secondary" disabled={busy} onClick={download}>
          Export CSV
        </button>
      </div>
    </div>
  );
}
