/**
 * A WebSocket client that sends but never reads must not grow the API's memory without bound
 * (issue 9, A.2). A real API process, so its resident set can be read from /proc; the client
 * pauses its own socket, so everything the API answers piles up on the API's side.
 *
 * Flood 1: 2 000 `subscribe` messages of 1 000 unknown (well-formed) ids each, 7.7 MiB, from a
 * `read` key. Flood 2: 200 000 one-byte frames from a `predict`-only key. Before the fix they took
 * the API up by ~900 MiB and ~130 MiB, held until the socket closed. Now each must stay under
 * +64 MiB, and the API closes the socket with 1008 (seen once the client reads again).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { newPredictionId } from '@inferq/contract';
import { freePort } from '@inferq/queue';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startAppProcess, waitUntil, type AppProcess } from '../helpers/processes.js';
import { MODELS_DIR } from '../helpers/in-process-stack.js';

const MIB = 1024 * 1024;
const GROWTH_LIMIT = 64 * MIB;
const READER_KEY = 'reader-key-0123456789abcdef0123456789abcdef';
const SUBMITTER_KEY = 'submitter-key-0123456789abcdef0123456789abcd';
const sha = (key: string) => createHash('sha256').update(key).digest('hex');

/** Resident set size of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, 'VmRSS in /proc/<pid>/status');
  return Number(match[1]) * 1024;
}

describe('e2e: a WebSocket client that never reads', () => {
  let redis: TestRedis;
  let api: AppProcess;
  let url: string;

  before(async () => {
    redis = await startTestRedis();
    const port = await freePort();
    url = `ws://127.0.0.1:${port}/v1/ws`;
    api = startAppProcess('apps/api/src/main.ts', {
      REDIS_URL: redis.url, KEY_PREFIX: 'wsmem', MODEL_REPOSITORY: MODELS_DIR, PORT: String(port),
      API_KEYS: `reader:read:${sha(READER_KEY)},submitter:predict:${sha(SUBMITTER_KEY)}`,
    });
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/v2/health/ready`)).ok, 60_000, 'the API to be ready');
  });
  after(async () => {
    await api?.stop();
    await redis?.dispose();
  });

  /** Opens a socket with `key`, warms the API's path with one message and its answer. */
  const open = async (key: string, warmUp: string): Promise<WebSocket> => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const answered = new Promise<void>((resolve) => socket.once('message', () => resolve()));
    socket.send(warmUp);
    await answered;
    return socket;
  };

  /**
   * Sends `frames` on a socket whose reading is paused, sampling the API's RSS every 50 ms until
   * every frame has left the client (or 60 s pass); then reads again and waits (≤ 40 s) for the close.
   * Returns the API's RSS growth over the flood and the close code.
   */
  const flood = async (socket: WebSocket, frames: Iterable<string>): Promise<{ growth: number; code: number }> => {
    const pid = api.child.pid!;
    const base = rssOf(pid);
    let peak = base;
    let closeCode: number | undefined;
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    void closed.then((code) => { closeCode = code; });
    socket.pause();
    for (const frame of frames) {
      if (socket.readyState !== WebSocket.OPEN) break;
      socket.send(frame);
    }
    const deadline = Date.now() + 60_000;
    // Bounded: 60 s at most; stops early once it is certain the bound is broken.
    while (Date.now() < deadline && socket.bufferedAmount > 0 && closeCode === undefined && peak - base < GROWTH_LIMIT * 2) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peak = Math.max(peak, rssOf(pid));
    }
    // A few more samples: what the API read last is still being answered.
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peak = Math.max(peak, rssOf(pid));
    }
    socket.resume();
    const code = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 40_000))]);
    if (code === -1) socket.terminate();
    return { growth: peak - base, code };
  };

  it('2 000 subscribe messages of 1 000 unknown ids: RSS bounded, socket closed with 1008', async () => {
    const socket = await open(READER_KEY, JSON.stringify({ type: 'subscribe', ids: [newPredictionId()] }));
    function* messages() {
      for (let i = 0; i < 2_000; i++) yield JSON.stringify({ type: 'subscribe', ids: Array.from({ length: 1_000 }, newPredictionId) });
    }
    const { growth, code } = await flood(socket, messages());
    assert.ok(growth < GROWTH_LIMIT, `API RSS grew by ${(growth / MIB).toFixed(1)} MiB (limit ${GROWTH_LIMIT / MIB})`);
    assert.equal(code, 1008, 'closed for not reading');
  });

  it('200 000 one-byte frames from a predict-only key: RSS bounded, socket closed with 1008', async () => {
    const socket = await open(SUBMITTER_KEY, 'x');
    function* bytes() {
      for (let i = 0; i < 200_000; i++) yield 'x';
    }
    const { growth, code } = await flood(socket, bytes());
    assert.ok(growth < GROWTH_LIMIT, `API RSS grew by ${(growth / MIB).toFixed(1)} MiB (limit ${GROWTH_LIMIT / MIB})`);
    assert.equal(code, 1008, 'closed for not reading');
  });
});
