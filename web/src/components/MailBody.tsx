// A message as a reader sees it, shared by the test inbox and the message
// log: its HTML (already sanitised by the API) in a frame sandboxed
// without scripts and fetching nothing, its text, its headers and its
// source, one at a time.
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { previewDocument } from '../lib/inbox';
import { DataTable } from './DataTable';
import { ErrorBox, Loading } from './states';

export interface MailView {
  html: string | null;
  text: string | null;
  blocked_remote: number;
  headers: { name: string; value: string }[];
}

type Tab = 'html' | 'text' | 'headers' | 'source';

export function MailBody({ view, loadSource }: { view: MailView; loadSource: () => Promise<string> }) {
  const [tab, setTab] = useState<Tab>(view.html ? 'html' : 'text');
  const [source, setSource] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (tab === 'source' && source === null) loadSource().then(setSource).catch((e: ApiError) => setError(e));
  }, [tab]);
  return (
    <>
      <div class="tabs" role="tablist" aria-label="Views">
        {(['html', 'text', 'headers', 'source'] as Tab[]).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} class={tab === t ? '' : 'secondary'} onClick={() => setTab(t)} disabled={t === 'html' && !view.html}>
            {t === 'html' ? 'HTML' : t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      {tab === 'html' && view.html && (
        <>
          {view.blocked_remote > 0 && <p class="notice">{view.blocked_remote} remote item(s) blocked.</p>}
          <iframe class="preview" title="HTML preview" sandbox="" srcDoc={previewDocument(view.html)} />
        </>
      )}
      {tab === 'text' && <pre class="source light">{view.text ?? '(no text body)'}</pre>}
      {tab === 'headers' && (
        <DataTable label="Headers" columns={['Name', 'Value']}>
          {view.headers.map((h, i) => (
            <tr key={i}>
              <td>{h.name}</td>
              <td>{h.value}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {tab === 'source' && error && <ErrorBox error={error} title="Cannot read the source" />}
      {tab === 'source' && !error && (source === null ? <Loading what="Reading the source" /> : <pre class="source" aria-label="Source">{source}</pre>)}
    </>
  );
}
