import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkReferenceFeatures, parseReferenceCsv, parseReferenceCsvAsync, ReferenceCsvError } from './reference-csv.js';

const IRIS = new URL('../../../models/iris/1/reference.csv', import.meta.url);

describe('parseReferenceCsv', () => {
  it("reads the iris model's reference.csv", () => {
    const table = parseReferenceCsv(readFileSync(IRIS, 'utf8'));
    assert.deepEqual(table.columns, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'label']);
    assert.equal(table.rows.length, 120);
    assert.deepEqual(table.rows[0], { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, label: 0 });
  });

  it('turns decimal numbers into numbers, missing markers into null, the rest into trimmed strings', () => {
    const table = parseReferenceCsv('a,b,c\n1.5, x ,\n-2e3,NA,NaN\n.5,"",null\n1,N/A,NULL\n');
    assert.deepEqual(table.rows, [
      { a: 1.5, b: 'x', c: null },
      { a: -2000, b: null, c: null },
      { a: 0.5, b: null, c: null },
      { a: 1, b: null, c: null },
    ]);
  });

  it('reads a quoted number as a number, and 0x10, 1_000 and Infinity as text', () => {
    const table = parseReferenceCsv('a,b,c,d\n"1","0x10",1_000,Infinity\n');
    assert.deepEqual(table.rows, [{ a: 1, b: '0x10', c: '1_000', d: 'Infinity' }]);
  });

  it('handles quotes, embedded commas and newlines, CRLF, a BOM and a missing final newline', () => {
    const table = parseReferenceCsv('\uFEFFname,note\r\n"Smith, J","said ""hi""\r\nthen left"\r\n"x42",plain');
    assert.deepEqual(table.rows, [
      { name: 'Smith, J', note: 'said "hi"\r\nthen left' },
      { name: 'x42', note: 'plain' },
    ]);
  });

  it('skips blank lines', () => {
    assert.equal(parseReferenceCsv('a\n1\n\n2\n\n').rows.length, 2);
  });

  it('names the problem: ragged rows, bad headers, unterminated quotes', () => {
    const bad: Array<[string, RegExp]> = [
      ['a,b\n1,2\n3\n', /different number of cells than the header on line 3/],
      ['a,a\n1,2\n', /duplicate column "a"/],
      ['a,,c\n1,2,3\n', /column 2 of the header has no name/],
      ['', /no header row/],
      ['a\n"open\n', /unterminated quoted cell/],
    ];
    for (const [text, message] of bad) {
      assert.throws(() => parseReferenceCsv(text), (error: unknown) => error instanceof ReferenceCsvError && message.test(error.message), text);
    }
  });

  it('reads the same way in chunks (the API), with the same errors', async () => {
    const text = readFileSync(IRIS, 'utf8');
    // 256 KiB chunks: make a file of several, with a quoted newline across the chunk joins.
    const big = `a,b\n${Array.from({ length: 60_000 }, (_, i) => `${i},"x\ny ${i}"`).join('\n')}\n`;
    assert.deepEqual(await parseReferenceCsvAsync(text), parseReferenceCsv(text));
    assert.deepEqual(await parseReferenceCsvAsync(big), parseReferenceCsv(big));
    await assert.rejects(parseReferenceCsvAsync('a,a\n1,2\n'), (error: unknown) => error instanceof ReferenceCsvError && /duplicate column "a"/.test(error.message));
    await assert.rejects(parseReferenceCsvAsync('a\n"open\n'), (error: unknown) => error instanceof ReferenceCsvError && /unterminated quoted cell/.test(error.message));
    await assert.rejects(parseReferenceCsvAsync(''), /no header row/);
    await assert.rejects(parseReferenceCsvAsync(big, { maxRows: 10 }), /more than 10 data rows/);
  });

  it('stops at the column, row and row-length limits', () => {
    assert.throws(() => parseReferenceCsv('a,b,c\n1,2,3\n', { maxColumns: 2 }), /3 columns, more than 2/);
    assert.throws(() => parseReferenceCsv('a\n1\n2\n3\n', { maxRows: 2 }), /more than 2 data rows/);
    assert.equal(parseReferenceCsv('a\n1\n2\n', { maxRows: 2 }).rows.length, 2);
    assert.throws(() => parseReferenceCsv(`a\n${'9'.repeat(100)}\n`, { maxRowChars: 50 }), /longer than the limit on line 2/);
    // Cells bound the product: 4 columns × 3 rows passes 10 cells at the third row.
    assert.throws(() => parseReferenceCsv('a,b,c,d\n1,2,3,4\n1,2,3,4\n1,2,3,4\n', { maxCells: 10 }), /more than 2 data rows of 4 columns \(the limit is 10 cells\)/);
  });

  it('refuses a million-column header without building it', () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    assert.throws(() => parseReferenceCsv(`${header}\n`), /longer than the limit|more than 1000/);
  });
});

describe('checkReferenceFeatures', () => {
  const features = ['x', 'y'];
  it('accepts numeric or missing feature cells and extra columns', () => {
    assert.doesNotThrow(() => checkReferenceFeatures(parseReferenceCsv('x,y,label\n1,,a\n"2",NA,b\n'), features));
  });
  it('rejects a missing feature column, no rows, or a non-numeric feature cell', () => {
    assert.throws(() => checkReferenceFeatures(parseReferenceCsv('x,label\n1,a\n'), features), /lacks the feature column\(s\) "y"/);
    assert.throws(() => checkReferenceFeatures(parseReferenceCsv('x,y\n'), features), /no data rows/);
    assert.throws(() => checkReferenceFeatures(parseReferenceCsv('x,y\n1,2\n0x10,3\n'), features), /data row 2, column "x": "0x10" is not a decimal number/);
  });
});
