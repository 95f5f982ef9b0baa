// CSV (RFC 4180) as the suppression import reads it, checked in the
// browser before the upload so that a wrong file is named at once, with
// its row, and not sent. The gateway checks it again (libcsv, strict) and
// is the authority; this reader is hand-written because it is thirty lines
// and a CSV package would be a dependency for one preview.

export interface CsvTable {
  rows: string[][];
  error?: string;
}

// Rows of fields: quoted fields may hold commas, quotes ("") and line
// ends; CRLF or LF ends a row; a last empty line is no row.
export function parseCsv(text: string): CsvTable {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      if (c === '\n') line++;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') return { rows, error: `line ${line}: a quote inside an unquoted field` };
      quoted = true;
    } else if (c === ',') endField();
    else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endRow();
      line++;
    } else field += c;
    i++;
  }
  if (quoted) return { rows, error: `line ${line}: a quoted field is not closed` };
  if (field !== '' || row.length > 0) endRow();
  return { rows };
}

// The columns an import takes (docs/events.md "CSV"): `address` and any
// of the others, in any order.
export const SUPPRESSION_COLUMNS = ['address', 'reason', 'provider', 'message_id', 'detail', 'created_at'] as const;

export interface ImportCheck {
  entries: number;
  error?: string;
}

// How many entries the file adds, or why the gateway would refuse it,
// naming the row as it does ("row 7": the header is row 1).
export function checkSuppressionCsv(text: string): ImportCheck {
  const table = parseCsv(text.replace(/^\uFEFF/, ''));
  if (table.error) return { entries: 0, error: table.error };
  const [header, ...rows] = table.rows;
  if (!header || (header.length === 1 && header[0] === '')) return { entries: 0, error: 'the file is empty' };
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.find((n) => !(SUPPRESSION_COLUMNS as readonly string[]).includes(n));
  if (unknown !== undefined) return { entries: 0, error: `unknown column '${unknown}' (${SUPPRESSION_COLUMNS.join(', ')})` };
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { entries: 0, error: `the header names column '${twice}' twice` };
  const address = names.indexOf('address');
  if (address < 0) return { entries: 0, error: 'the header has no address column' };
  for (const [i, row] of rows.entries()) {
    const at = `row ${i + 2}`;
    if (row.length !== header.length) return { entries: 0, error: `${at}: ${row.length} fields, the header has ${header.length}` };
    if (!row[address].trim()) return { entries: 0, error: `${at}: no address` };
  }
  if (rows.length === 0) return { entries: 0, error: 'the file has a header and no entry' };
  return { entries: rows.length };
}
