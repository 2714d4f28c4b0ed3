/**
 * Pipeline inputs checked at submit, so bad input is a 400/413 naming the field and never a
 * failed job: named-features rows (each a JSON object of numbers) and images (base64 PNG, JPEG or
 * WebP, header read with sharp). The conversion itself runs in the worker's steps.
 */
import { InferqError, type PipelineInput } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import { checkImage, imageBytes, parseFeatureRow, readFeatureRow, type ImageLimits } from '@inferq/processing';
import type { Tensor } from '@inferq/tensor';
import { isImageBody } from './binary-body.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lets a named-features input carry its rows as JSON objects (`"data": [{"sepal_length": 5.1, ...}]`)
 * instead of JSON strings: returns the body with each such object checked and written as its
 * JSON text, the BYTES form the v2 validator and the job take. Other bodies are returned as they are.
 */
export function normalisePipelineBody(body: unknown, target: ModelVersion): unknown {
  if (isImageBody(body)) return nameImageInput(body as { inputs: Array<Record<string, unknown>> }, target);
  const declared = target.pipeline?.config.inputs;
  if (!declared || !isRecord(body) || !Array.isArray(body.inputs)) return body;
  let changed = false;
  const inputs = body.inputs.map((input: unknown, k) => {
    if (!isRecord(input) || !Array.isArray(input.data)) return input;
    const spec = declared.find((d) => d.name === input.name);
    if (spec?.format !== 'named-features' || !input.data.some(isRecord)) return input;
    changed = true;
    const data = input.data.map((row: unknown, r) => {
      if (typeof row === 'string') return row;
      readFeatureRow(row, spec.featureNames!, `inputs[${k}].data[${r}]`);
      return JSON.stringify(row);
    });
    return { ...input, data };
  });
  return changed ? { ...body, inputs } : body;
}

/** Checks the decoded inputs of a pipeline request against their declared formats. */
export async function checkPipelineInputs(target: ModelVersion, inputs: readonly Tensor[], limits: ImageLimits): Promise<void> {
  const declared = new Map<string, PipelineInput>((target.pipeline?.config.inputs ?? []).map((d) => [d.name, d]));
  for (const tensor of inputs) {
    const spec = declared.get(tensor.name);
    if (!spec?.format || tensor.datatype !== 'BYTES') continue;
    const values = tensor.data as string[];
    for (const [r, text] of values.entries()) {
      const where = `input "${tensor.name}" row ${r}`;
      if (spec.format === 'named-features') parseFeatureRow(text, spec.featureNames!, where);
      else await checkImage(imageBytes(text, where, limits), where, limits);
    }
  }
}

/** A raw image upload names the target's one image input; a target without one refuses it (415). */
function nameImageInput(body: { inputs: Array<Record<string, unknown>> }, target: ModelVersion): unknown {
  const images = (target.pipeline?.config.inputs ?? []).filter((d) => d.format === 'image');
  if (images.length !== 1 || target.inputs.length !== 1) {
    throw new InferqError('UNSUPPORTED_MEDIA_TYPE', `${target.name} does not take a raw image body: send an image to a pipeline whose one input has format "image", or send JSON`);
  }
  return { inputs: [{ ...body.inputs[0], name: images[0]!.name }] };
}
