import { parseKeyValueLines } from './keyvalue';

// The Compose form turned into POST /v1/messages's body (SendRequest in
// docs/openapi.yaml), with the mistakes the API would refuse caught first
// and named by field.

export interface ComposeForm {
  from: string;
  to: string;
  cc: string;
  bcc: string;
  reply_to: string;
  subject: string;
  text: string;
  html: string;
  tags: string;
  metadata: string; // one key=value a line
}

export interface Attachment {
  filename: string;
  content: string; // base64
  content_type: string;
}

export type FieldErrors = Partial<Record<keyof ComposeForm | 'recipients' | 'body', string>>;

export const EMPTY_FORM: ComposeForm = {
  from: '', to: '', cc: '', bcc: '', reply_to: '', subject: '', text: '', html: '', tags: '', metadata: '',
};

// Addresses separated by commas, semicolons or new lines. A comma inside
// a quoted display name ("Doe, Jane" <jane@example.org>) is kept.
export function splitAddresses(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ',' || ch === ';' || ch === '\n')) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

export interface Built {
  body: Record<string, unknown>;
  errors: FieldErrors;
}

export function buildSendRequest(form: ComposeForm, attachments: Attachment[]): Built {
  const errors: FieldErrors = {};
  const body: Record<string, unknown> = {};
  if (!form.from.trim()) errors.from = 'Who is it from?';
  else body.from = form.from.trim();
  for (const field of ['to', 'cc', 'bcc', 'reply_to'] as const) {
    const list = splitAddresses(form[field]);
    if (list.length) body[field] = list;
  }
  if (!body.to && !body.cc && !body.bcc) errors.recipients = 'Give at least one recipient (to, cc or bcc).';
  if (form.subject) body.subject = form.subject;
  if (form.text) body.text = form.text;
  if (form.html) body.html = form.html;
  if (!form.text && !form.html) errors.body = 'Write a text or an HTML body.';
  const tags = form.tags.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length > 10) errors.tags = 'At most 10 tags.';
  else if (tags.length) body.tags = tags;
  const metadata = parseKeyValueLines(form.metadata);
  if (metadata.error) errors.metadata = metadata.error;
  else if (Object.keys(metadata.value).length) body.metadata = metadata.value;
  if (attachments.length) body.attachments = attachments;
  return { body, errors };
}

// Bytes as base64, in chunks (String.fromCharCode takes a bounded number
// of arguments).
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// Statuses after which a message does not change by itself.
export const FINAL_STATUSES = new Set(['sent', 'failed', 'cancelled', 'quarantined']);
