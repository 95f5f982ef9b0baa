// Paging through a list with the cursor the API gives (next_after,
// next_before, next_cursor): the cursor of the page shown and those of the
// pages before it, so that "Previous" goes back without the API having a
// cursor for that direction.
export interface Pages<C> {
  current: C | null; // null: the first page
  back: (C | null)[];
}

export function firstPage<C>(): Pages<C> {
  return { current: null, back: [] };
}

export function nextPage<C>(p: Pages<C>, next: C): Pages<C> {
  return { current: next, back: [...p.back, p.current] };
}

export function previousPage<C>(p: Pages<C>): Pages<C> {
  if (p.back.length === 0) return p;
  return { current: p.back[p.back.length - 1], back: p.back.slice(0, -1) };
}

export function pageNumber(p: Pages<unknown>): number {
  return p.back.length + 1;
}
