/**
 * What a user writes without us: a Fastify endpoint that runs `session.run` once per request.
 * Started as a child process by the "naive" scenario. POST /predict/:model with a v2 request body.
 */
import Fastify from 'fastify';
// Before onnxruntime loads: its telemetry off (docs/configuration: ORT_DISABLE_TELEMETRY).
import '@inferq/env/onnxruntime-defaults';
import * as ort from 'onnxruntime-node';
import { MODELS_DIR } from './lib/workloads.js';

const threads = Number(process.env.ORT_INTRA_OP_THREADS ?? 0);
const sessions = new Map<string, ort.InferenceSession>();
for (const model of ['iris', 'text-orientation']) {
  sessions.set(model, await ort.InferenceSession.create(`${MODELS_DIR}/${model}/1/model.onnx`, {
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}), interOpNumThreads: 1, graphOptimizationLevel: 'all',
  }));
}
const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
app.post<{ Params: { model: string }; Body: { inputs: Array<{ name: string; shape: number[]; data: number[] }> } }>('/predict/:model', async (request) => {
  const session = sessions.get(request.params.model)!;
  const input = request.body.inputs[0]!;
  const result = await session.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) });
  return { outputs: Object.entries(result).map(([name, t]) => ({ name, shape: t.dims, data: Array.from(t.data as Float32Array, Number) })) };
});
const address = await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log(`naive listening ${address}`);
