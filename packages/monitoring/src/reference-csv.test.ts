import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseReferenceCsv } from './reference-csv.js';

const IRIS = new URL('../../../models/iris/1/reference.csv', import.meta.url);

describe('parseReferenceCsv', () => {
  it("reads the iris model's reference.csv", () => {
    const table = parseReferenceCsv(readFileSync(IRIS, 'utf8'));
    assert.deepEqual(table.columns, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'label']);
    assert.equal(table.rows.length, 120);
    assert.deepEqual(table.rows[0], { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, label: 0 });
  });

  it('turns numbers into numbers, missing markers into null, the rest into trimmed strings', () => {
    const table = parseReferenceCsv('a,b,c\n1.5, x ,\n-2e3,NA,NaN\n.5,"",null\n');
    assert.deepEqual(table.rows, [
      { a: 1.5, b: 'x', c: null },
      { a: -2000, b: null, c: null },
      { a: 0.5, b: null, c: null },
    ]);
  });

  it('handles quotes, embedded commas and newlines, CRLF, a BOM and a missing final newline', () => {
    const table = parseReferenceCsv('\uFEFFname,note\r\n"Smith, J","said ""hi""\r\nthen left"\r\n"42",plain');
    assert.deepEqual(table.rows, [
      { name: 'Smith, J', note: 'said "hi"\r\nthen left' },
      { name: '42', note: 'plain' }, // quoted: stays a string
    ]);
  });

  it('skips blank lines', () => {
    assert.equal(parseReferenceCsv('a\n1\n\n2\n\n').rows.length, 2);
  });

  it('names the line of a ragged row, and rejects bad headers', () => {
    assert.throws(() => parseReferenceCsv('a,b\n1,2\n3\n'), /line 3 has 1 cells, the header has 2/);
    assert.throws(() => parseReferenceCsv('a,a\n1,2\n'), /duplicate column "a"/);
    assert.throws(() => parseReferenceCsv(''), /no header row/);
    assert.throws(() => parseReferenceCsv('a\n"open\n'), /unterminated quoted cell/);
  });
});
