import { readFile } from 'node:fs/promises';
import { InferqError, type ModelConfig } from '@inferq/contract';
import { buildModelVersion, readOnnxSignature, type OnnxSignature } from '@inferq/model-repository';

/**
 * Checks a model file before it is registered: it parses as ONNX, its signature is readable,
 * and the config fits it (the same merge as a repository version's config.json). The worker's
 * dry run is the second half of the validation. Throws INVALID_MODEL with the reason.
 * Reads the file whole: the protobuf decoder needs it in memory (at most MAX_MODEL_BYTES).
 */
export async function checkModelFile(path: string, model: string, version: string, config: ModelConfig): Promise<OnnxSignature> {
  let signature: OnnxSignature;
  try {
    signature = readOnnxSignature(await readFile(path));
  } catch (error) {
    throw new InferqError('INVALID_MODEL', `the file is not a usable ONNX model: ${(error as Error).message.slice(0, 300)}`, { cause: error });
  }
  try {
    buildModelVersion({ name: model, version, modelPath: path, signature, config, configSource: 'config' });
  } catch (error) {
    throw new InferqError('INVALID_MODEL', (error as Error).message, { cause: error });
  }
  return signature;
}
