import { describe, expect, it } from 'vitest';
import { checkSuppressionCsv, parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line ends', () => {
    const t = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n');
    expect(t.error).toBeUndefined();
    expect(t.rows).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
    ]);
  });

  it('takes LF line ends, empty fields and a last line without an end', () => {
    expect(parseCsv('a,,c\nd,e,').rows).toEqual([
      ['a', '', 'c'],
      ['d', 'e', ''],
    ]);
  });

  it('names the line of an unclosed quote or a stray one', () => {
    expect(parseCsv('a\n"open\n').error).toBe('line 3: a quoted field is not closed');
    expect(parseCsv('a\nb"c\n').error).toBe('line 2: a quote inside an unquoted field');
  });
});

describe('checkSuppressionCsv', () => {
  it('counts the entries of an export, columns in any order', () => {
    const exported =
      'address,reason,provider,message_id,detail,created_at\r\n' +
      'ann@example.org,bounced,mg,0mb3xq7h2k4rs,"550 5.1.1 no such user, sorry",2025-01-01T12:00:00.000Z\r\n' +
      'bob@example.org,manual,,,,2025-01-01T12:00:00.000Z\r\n';
    expect(checkSuppressionCsv(exported)).toEqual({ entries: 2 });
    expect(checkSuppressionCsv('reason,Address\nmanual,c@example.org\n')).toEqual({ entries: 1 });
    expect(checkSuppressionCsv('\uFEFFaddress\nd@example.org\n')).toEqual({ entries: 1 });
  });

  it('refuses what the gateway would refuse, naming the row', () => {
    expect(checkSuppressionCsv('').error).toBe('the file is empty');
    expect(checkSuppressionCsv('reason\nmanual\n').error).toBe('the header has no address column');
    expect(checkSuppressionCsv('address,colour\na@example.org,red\n').error).toMatch(/^unknown column 'colour'/);
    expect(checkSuppressionCsv('address,reason\na@example.org,manual\nb@example.org\n').error).toBe('row 3: 1 fields, the header has 2');
    expect(checkSuppressionCsv('address,Address\na,b\n').error).toBe("the header names column 'address' twice");
    expect(checkSuppressionCsv('address,reason\n,manual\n').error).toBe('row 2: no address');
    expect(checkSuppressionCsv('address\n').error).toBe('the file has a header and no entry');
  });
});
