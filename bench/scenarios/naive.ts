/**
 * Scenario "naive": a plain Fastify endpoint running `session.run` per request (bench/naive-server.ts),
 * driven by the same load generator as ours.
 */
import { freePort } from '@inferq/redis';
import { HttpClient } from '../lib/http-client.js';
import { closedLoop } from '../lib/load.js';
import { rssMiB, startChild, waitFor } from '../lib/processes.js';
import type { LoadResult } from '../lib/stats.js';
import type { Workload } from '../lib/workloads.js';

export async function measureNaive(workloads: Workload[], threads: number, clients: number[], durationMs: number): Promise<Record<string, Record<number, LoadResult & { rssMiB: number }>>> {
  const port = await freePort();
  const server = startChild('bench/naive-server.ts', { PORT: String(port), ORT_INTRA_OP_THREADS: String(threads) });
  const http = new HttpClient(`http://127.0.0.1:${port}`);
  const results: Record<string, Record<number, LoadResult & { rssMiB: number }>> = {};
  try {
    await waitFor(async () => server.output().includes('naive listening'), 60_000, 'the naive server');
    for (const w of workloads) {
      results[w.model] = {};
      for (const k of clients) {
        let i = 0;
        const result = await closedLoop(async () => {
          const res = await http.send('POST', `/predict/${w.model}`, w.bodies[i++ % w.bodies.length]);
          if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        }, k, durationMs);
        results[w.model]![k] = { ...result, rssMiB: rssMiB(server.process.pid) };
      }
    }
  } finally {
    http.close();
    await server.stop();
  }
  return results;
}
