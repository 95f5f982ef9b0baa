// A table as every list screen shows it: a label for screen readers,
// column headings, rows; scrolls sideways at phone widths.
import type { ComponentChildren } from 'preact';

export function DataTable({ label, columns, children }: { label: string; columns: ComponentChildren[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
