// "Previous" and "Next" under a list paged with the API's cursor
// (lib/paging.ts keeps the cursors).
export function Pager({ label, page, hasPrevious, hasNext, onPrevious, onNext }: {
  label: string;
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav class="pager" aria-label={label}>
      <span class="muted small">Page {page}</span>
      <button type="button" class="secondary" disabled={!hasPrevious} onClick={onPrevious}>
        Previous
      </button>
      <button type="button" class="secondary" disabled={!hasNext} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}
