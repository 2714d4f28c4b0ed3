import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineInfo } from '../ocr-stages.js';
import { imageBytes, lineInfoTensor, linesTensor, pickOptions, readLineInfo, readLines } from './tensor-io.js';

const line = (width: number, value: number) => ({ width, height: 48, data: new Uint8Array(width * 48 * 3).fill(value) });
const info = (image: number, width: number): LineInfo => ({ image, width, box: [[0, 0], [width, 0], [width, 48], [0, 48]], detScore: 0.9 });

describe('OCR step tensors', () => {
  it('lines of different widths survive packing into one UINT8 tensor', () => {
    const lines = [line(3, 7), line(5, 9)];
    const packed = linesTensor(lines);
    assert.deepEqual(packed.shape, [2, 48, 5, 3]);
    const infos = readLineInfo(lineInfoTensor([info(0, 3), info(1, 5)]));
    assert.deepEqual(readLines(packed, infos), lines);
  });

  it('zero lines pack to a 0-row tensor and read back as none', () => {
    const packed = linesTensor([]);
    assert.deepEqual(packed.shape, [0, 48, 1, 3]);
    assert.deepEqual(readLines(packed, []), []);
    assert.deepEqual(readLineInfo(lineInfoTensor([])), []);
  });

  it('refuses broken base64 naming the row, and unknown options by name', () => {
    const images = { name: 'image', datatype: 'BYTES' as const, shape: [2], data: ['aGVsbG8=', 'a$b'] };
    assert.deepEqual([...imageBytes(images, 0)], [...Buffer.from('hello')]);
    assert.throws(() => imageBytes(images, 1), (error: Error & { code?: string }) => error.code === 'INVALID_IMAGE' && /image\[1\]/.test(error.message));
    assert.throws(() => pickOptions({ treshold: 0.3 }, ['threshold']), /unknown option "treshold"/);
  });
});
