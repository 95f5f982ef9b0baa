// The UI's screens: the navigation and the router read this one list
// (app.tsx maps a path to its component; a screen without one is a
// placeholder saying what it will hold).
export interface Screen {
  path: string; // as the router matches it (:rest* also takes what follows)
  href: string; // where the navigation links
  title: string;
  summary: string;
}

export const SCREENS: Screen[] = [
  { path: '/', href: '/', title: 'Dashboard', summary: 'Provider health, live.' },
  {
    path: '/compose',
    href: '/compose',
    title: 'Compose',
    summary: 'Send a message (async or sync) with attachments, tags and metadata, and follow its status.',
  },
  {
    path: '/messages/:rest*',
    href: '/messages',
    title: 'Messages',
    summary: "Search and filter the message log; a message's attempts, recipients, body and source; cancel and retry.",
  },
  {
    path: '/providers/:rest*',
    href: '/providers',
    title: 'Providers',
    summary: 'Add, edit, drain, pause, resume and remove providers; routing strategy and weights; heartbeats and probes.',
  },
  {
    path: '/inbox/:rest*',
    href: '/inbox',
    title: 'Test inbox',
    summary: "Test accounts and the mail they caught: preview, text, source, headers, attachments.",
  },
  {
    path: '/keys',
    href: '/keys',
    title: 'Keys',
    summary: 'API keys: create, list, revoke.',
  },
  {
    path: '/suppressions',
    href: '/suppressions',
    title: 'Suppressions',
    summary: 'Addresses Postern sends nothing to: search, add, remove, import and export CSV.',
  },
  {
    path: '/webhooks/:rest*',
    href: '/webhooks',
    title: 'Webhooks',
    summary: 'Your endpoints for events: create (secret shown once), enable, disable, delete; deliveries and redeliver.',
  },
];
