import { describe, expect, it } from 'vitest';
import { firstPage, nextPage, pageNumber, previousPage } from './paging';

describe('paging', () => {
  it('goes forward with the cursors the API gives and back the same way', () => {
    let p = firstPage<string>();
    expect(pageNumber(p)).toBe(1);
    p = nextPage(p, 'b');
    p = nextPage(p, 'c');
    expect(p).toEqual({ current: 'c', back: [null, 'b'] });
    expect(pageNumber(p)).toBe(3);
    p = previousPage(p);
    expect(p).toEqual({ current: 'b', back: [null] });
    p = previousPage(p);
    expect(p).toEqual(firstPage());
  });

  it('stays on the first page when asked to go back from it', () => {
    const p = firstPage<number>();
    expect(previousPage(p)).toBe(p);
  });
});
