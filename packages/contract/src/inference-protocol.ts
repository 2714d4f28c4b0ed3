/**
 * Open Inference Protocol v2 (KServe / Triton / MLServer) JSON shapes.
 * https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/
 */
import type { Datatype } from './datatypes.js';

/** Values of one tensor as they arrive in JSON: flat or nested row-major arrays. */
export type TensorData = unknown[];

/** One input tensor of an inference request. */
export interface RequestInput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Record<string, unknown>;
  data: TensorData;
}

/** An output the caller asks for; omitted means all outputs. */
export interface RequestOutput {
  name: string;
  parameters?: Record<string, unknown>;
}

/** `POST .../infer` and `POST .../predictions` body. */
export interface InferenceRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: RequestInput[];
  outputs?: RequestOutput[];
}

/** One output tensor of an inference response; data is flat, row-major. */
export interface ResponseOutput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Record<string, unknown>;
  data: Array<number | boolean | string>;
}

/** The v2 inference response. */
export interface InferenceResponse {
  model_name: string;
  model_version?: string;
  id: string;
  parameters?: Record<string, unknown>;
  outputs: ResponseOutput[];
}

/** Name, datatype and shape of a model input or output; -1 marks a dynamic dimension. */
export interface TensorMetadata {
  name: string;
  datatype: Datatype;
  shape: number[];
}

/** `GET /v2/models/{model}[/versions/{version}]` response. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/** The platform name reported for ONNX models, as Triton does. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';
