/**
 * Reading and writing the tensors the OCR steps pass each other. Values between steps never
 * leave the worker, but a step still checks what it is given: a pipeline.json wiring mistake
 * should fail with the step's and the input's name, not with an index out of range.
 */
import type { Datatype } from '@inferq/contract';
import type { Tensor } from '@inferq/tensor';
import type { NamedTensors } from '@inferq/processing';
import type { LineImage } from '../crop-line.js';
import type { DetGeometry } from '../det-preprocess.js';
import { invalidImage } from '../invalid-image.js';
import { LINE_HEIGHT } from '../ocr-options.js';
import type { LineInfo } from '../ocr-stages.js';

/** The input `name`, checked for datatype and rank. */
export function input(inputs: NamedTensors, name: string, datatype: Datatype, rank: number): Tensor {
  const tensor = inputs[name];
  if (tensor === undefined) throw new Error(`input "${name}" is missing (the step's "inputs" must map it)`);
  if (tensor.datatype !== datatype) throw new Error(`input "${name}" is ${tensor.datatype}, expected ${datatype}`);
  if (tensor.shape.length !== rank) throw new Error(`input "${name}" has shape [${tensor.shape.join(', ')}], expected rank ${rank}`);
  return tensor;
}

/** Checks that tensors agree on the number of rows; returns it. */
export function sameRows(...tensors: Tensor[]): number {
  const rows = tensors[0]!.shape[0]!;
  for (const t of tensors) if (t.shape[0] !== rows) throw new Error(`inputs disagree on the number of rows: "${tensors[0]!.name}" has ${rows}, "${t.name}" ${t.shape[0]}`);
  return rows;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Image `i` of a BYTES tensor of base64 strings, as bytes. Broken base64 is INVALID_IMAGE. */
export function imageBytes(images: Tensor, i: number): Uint8Array {
  const text = (images.data as string[])[i]!;
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) throw invalidImage(`${images.name}[${i}]`, 'is not valid base64');
  return Buffer.from(compact, 'base64');
}

/** Geometry rows as FP32 `[n, 4]`: source width, source height, resized width, resized height. */
export function geometryTensor(geometries: readonly DetGeometry[]): Tensor {
  return {
    name: 'geometry', datatype: 'FP32', shape: [geometries.length, 4],
    data: Float32Array.from(geometries.flatMap((g) => [g.srcWidth, g.srcHeight, g.width, g.height])),
  };
}

export function readGeometry(tensor: Tensor): DetGeometry[] {
  if (tensor.shape[1] !== 4) throw new Error(`input "${tensor.name}" must be [n, 4] (the ocr-det-pre step's geometry), got [${tensor.shape.join(', ')}]`);
  const d = tensor.data as Float32Array;
  return Array.from({ length: tensor.shape[0]! }, (_, i) => ({ srcWidth: d[i * 4]!, srcHeight: d[i * 4 + 1]!, width: d[i * 4 + 2]!, height: d[i * 4 + 3]! }));
}

/** Line infos as a BYTES tensor, one JSON object per line. */
export function lineInfoTensor(infos: readonly LineInfo[]): Tensor {
  return { name: 'lineInfo', datatype: 'BYTES', shape: [infos.length], data: infos.map((info) => JSON.stringify(info)) };
}

export function readLineInfo(tensor: Tensor): LineInfo[] {
  return (tensor.data as string[]).map((text, i) => {
    const info = JSON.parse(text) as LineInfo;
    if (typeof info !== 'object' || info === null || !Number.isInteger(info.image) || !Number.isInteger(info.width) || !Array.isArray(info.box)) {
      throw new Error(`input "${tensor.name}"[${i}] is not a line info of the ocr-det-post step`);
    }
    return info;
  });
}

/** Lines as UINT8 `[n, 48, maxWidth, 3]`, each left-aligned (its width is in its line info). */
export function linesTensor(lines: readonly LineImage[]): Tensor {
  const width = Math.max(1, ...lines.map((l) => l.width));
  const rowBytes = LINE_HEIGHT * width * 3;
  const data = new Uint8Array(lines.length * rowBytes);
  lines.forEach((line, n) => {
    for (let y = 0; y < LINE_HEIGHT; y++) data.set(line.data.subarray(y * line.width * 3, (y + 1) * line.width * 3), n * rowBytes + y * width * 3);
  });
  return { name: 'lines', datatype: 'UINT8', shape: [lines.length, LINE_HEIGHT, width, 3], data };
}

export function readLines(tensor: Tensor, infos: readonly LineInfo[]): LineImage[] {
  const [rows, height, width, channels] = tensor.shape as [number, number, number, number];
  if (height !== LINE_HEIGHT || channels !== 3) throw new Error(`input "${tensor.name}" must be [n, ${LINE_HEIGHT}, w, 3], got [${tensor.shape.join(', ')}]`);
  if (rows !== infos.length) throw new Error(`input "${tensor.name}" has ${rows} lines but the line infos ${infos.length}`);
  const data = tensor.data as Uint8Array;
  return infos.map((info, n) => {
    if (info.width > width) throw new Error(`line ${n} is ${info.width} px wide, more than the tensor's ${width}`);
    const out = new Uint8Array(LINE_HEIGHT * info.width * 3);
    const base = n * LINE_HEIGHT * width * 3;
    for (let y = 0; y < LINE_HEIGHT; y++) out.set(data.subarray(base + y * width * 3, base + y * width * 3 + info.width * 3), y * info.width * 3);
    return { width: info.width, height: LINE_HEIGHT, data: out };
  });
}

/** An FP32 tensor named `name`. */
export function fp32(name: string, shape: number[], data: Float32Array): Tensor {
  return { name, datatype: 'FP32', shape, data };
}

/**
 * Keeps only `allowed` option names (others are refused by name: a typo must not silently
 * fall back to a default).
 */
export function pickOptions(options: Readonly<Record<string, unknown>>, allowed: readonly string[]): Record<string, unknown> {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`unknown option "${key}" (this step takes: ${allowed.join(', ') || 'none'})`);
  }
  return { ...options };
}
