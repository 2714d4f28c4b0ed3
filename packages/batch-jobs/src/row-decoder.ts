/**
 * Turns one row of a batch input into the model's input tensors. Two levels of failure:
 * a {@link BatchInputError} means the file as a whole cannot be read for this model (the batch is
 * refused before any chunk runs); an `InferqError` thrown for one row fails that row alone.
 */
import { InferqError, previewValue, type TensorMetadata } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import { validateInferenceRequest, valuesFromJson, type Tensor } from '@inferq/tensor';

/** The input cannot be used at all (malformed file, missing columns): 400 INVALID_BATCH_INPUT. */
export class BatchInputError extends InferqError {
  constructor(message: string) {
    super('INVALID_BATCH_INPUT', message);
  }
}

/** The model's one `[-1, n]` input and its column names, for CSV and named-feature rows. */
interface TabularInput {
  meta: TensorMetadata;
  width: number;
  featureNames?: string[];
}

function tabularInput(model: ModelVersion): TabularInput | undefined {
  if (model.inputs.length !== 1) return undefined;
  const meta = model.inputs[0]!;
  const [batch, width] = meta.shape;
  if (meta.shape.length !== 2 || batch !== -1 || width === undefined || width < 1 || meta.datatype === 'BYTES') return undefined;
  return { meta, width, featureNames: model.featureNames[meta.name] };
}

const sortByName = (tensors: Tensor[]) => tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function rowTensor(input: TabularInput, values: unknown[]): Tensor[] {
  return [{ name: input.meta.name, datatype: input.meta.datatype, shape: [1, input.width], data: valuesFromJson(values, input.meta.datatype, input.meta.name) }];
}

/**
 * Reads CSV rows: the header picks the columns (by the version's feature names when it declares
 * them and the header holds them all, else exactly n columns in header order).
 */
export function csvRowDecoder(model: ModelVersion, header: readonly string[]): (cells: readonly string[], line: number) => Tensor[] {
  const input = tabularInput(model);
  if (!input) {
    throw new BatchInputError(`CSV needs a model with one numeric [-1, n] input; ${model.name}:${model.version} takes ${model.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')} (send JSON Lines of v2 requests instead)`);
  }
  const names = header.map((h) => h.trim());
  let columns: number[];
  if (input.featureNames && input.featureNames.every((f) => names.includes(f))) {
    columns = input.featureNames.map((f) => names.indexOf(f));
  } else if (names.length === input.width) {
    columns = names.map((_, i) => i);
  } else {
    const expected = input.featureNames ? `columns ${input.featureNames.map((f) => `"${f}"`).join(', ')} or exactly ${input.width} columns` : `exactly ${input.width} columns`;
    throw new BatchInputError(`line 1: the CSV header has ${names.length} columns (${names.slice(0, 8).map((n) => `"${n.slice(0, 32)}"`).join(', ')}); input "${input.meta.name}" of ${model.name} needs ${expected}`);
  }
  return (cells, line) => {
    const values = columns.map((c) => {
      const cell = (cells[c] ?? '').trim();
      const value = cell === '' ? Number.NaN : Number(cell);
      if (Number.isNaN(value)) throw new InferqError('INVALID_TENSOR_DATA', `line ${line}: column "${names[c]!.slice(0, 64)}" is ${previewValue(cell)}, not a number`);
      return value;
    });
    try {
      return rowTensor(input, values);
    } catch (error) {
      if (error instanceof InferqError) throw new InferqError(error.code, `line ${line}: ${error.message}`);
      throw error;
    }
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a JSON Lines row: a v2 request (`{"inputs": [...]}`) checked as the REST route checks it,
 * or, where the version declares feature names, an object of named features.
 */
export function jsonRowDecoder(model: ModelVersion): (value: unknown, line: number) => Tensor[] {
  const input = tabularInput(model);
  return (value, line) => {
    try {
      if (!isRecord(value)) throw new InferqError('INVALID_REQUEST', 'a row must be a JSON object');
      if ('inputs' in value) return sortByName(validateInferenceRequest(value, model).inputs);
      if (!input?.featureNames) {
        throw new InferqError('INVALID_REQUEST', `a row must be a v2 request with "inputs" (${model.name}:${model.version} declares no feature names)`);
      }
      const missing = input.featureNames.filter((f) => !(f in value));
      if (missing.length > 0) {
        const names = missing.slice(0, 4).map((f) => `"${f}"`).join(', ');
        throw new InferqError('MISSING_INPUT', missing.length === 1 ? `feature ${names} is missing` : `features ${names} are missing`);
      }
      return rowTensor(input, input.featureNames.map((f) => value[f]));
    } catch (error) {
      if (error instanceof InferqError) throw new InferqError(error.code, `line ${line}: ${error.message}`);
      throw error;
    }
  };
}
