// The test inbox screen's logic: its routes (/inbox, /inbox/<user>,
// /inbox/<user>/<uid>), the document its HTML preview frames, sizes.

export interface InboxPlace {
  user?: string;
  uid?: string;
}

export function inboxPlace(rest: string | undefined): InboxPlace {
  const [user, uid] = (rest ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  return { user, uid };
}

// The policy inside the preview frame: nothing is fetched from anywhere
// (the API already dropped scripts and remote content; this holds even if
// something slipped through), inline styles and data: images only.
export const PREVIEW_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";

// The sanitised HTML (GET .../messages/{uid} "html") as the srcdoc of a
// frame sandboxed without scripts.
export function previewDocument(html: string): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${PREVIEW_CSP}">` +
    `<base target="_blank"></head><body>${html}</body></html>`
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export interface Mailbox {
  name: string;
  address: string;
}

export function formatMailboxes(list: Mailbox[] | undefined): string {
  return (list ?? []).map((m) => (m.name ? `${m.name} <${m.address}>` : m.address)).join(', ');
}
