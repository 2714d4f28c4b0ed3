import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@inferq/redis';
import { waitUntil } from './processes.js';

/** One `redis-server` child (data node or sentinel) on 127.0.0.1. */
interface RedisChild {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

/**
 * A real Redis Sentinel deployment on loopback: one primary, `replicas` replicas (AOF on, the
 * settings BullMQ needs) and `sentinels` sentinels (quorum: a majority) monitoring it as
 * `name`. Failure detection is fast (down-after 2 s) so a test sees a failover in seconds.
 */
export interface SentinelGroup {
  readonly name: string;
  readonly sentinelPorts: readonly number[];
  /** Data node ports, primary first as started (a failover changes which one is primary). */
  readonly dataPorts: readonly number[];
  /** Environment that points API, worker and monitor at the group. */
  readonly env: Record<string, string>;
  /** The primary's port as the sentinels see it now. */
  primaryPort(): Promise<number>;
  /** SIGKILL of the data node on `port` (no shutdown, no AOF flush). */
  kill(port: number): Promise<void>;
  /** Starts the data node on `port` again from its AOF, as a supervisor would; sentinels make it a replica. */
  restart(port: number): Promise<void>;
  /** Stops everything and deletes the directories. Idempotent. */
  dispose(): Promise<void>;
}

const quiet = ['--loglevel', 'warning', '--bind', '127.0.0.1', '--daemonize', 'no'];

function spawnRedis(port: number, args: string[]): RedisChild {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { port, child, exited };
}

async function pingable(port: number, what: string): Promise<void> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused until the server listens: expected
  try {
    await waitUntil(async () => {
      if (probe.status !== 'ready') await probe.connect().catch(() => probe.disconnect());
      return (await probe.ping()) === 'PONG';
    }, 10_000, what);
  } finally {
    probe.disconnect();
  }
}

/** Starts primary + replicas + sentinels and waits until the sentinels can fail over. */
export async function startSentinelGroup(options: { replicas?: number; sentinels?: number; name?: string } = {}): Promise<SentinelGroup> {
  const name = options.name ?? 'mymaster';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 3;
  const root = mkdtempSync(join(tmpdir(), 'inferq-test-sentinel-'));
  const dataPorts: number[] = [];
  for (let i = 0; i <= replicaCount; i++) dataPorts.push(await freePort());
  const primary = dataPorts[0]!;
  const children = new Map<number, RedisChild>();

  const dataArgs = (port: number, replicaOf?: number) => {
    const dir = join(root, `data-${port}`);
    mkdirSync(dir, { recursive: true });
    return ['--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
      '--maxmemory-policy', 'noeviction', ...quiet, ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : [])];
  };
  const startData = async (port: number, replicaOf?: number) => {
    children.set(port, spawnRedis(port, dataArgs(port, replicaOf)));
    await pingable(port, `redis-server on ${port}`);
  };

  await startData(primary);
  for (const port of dataPorts.slice(1)) await startData(port, primary);

  const sentinelPorts: number[] = [];
  for (let i = 0; i < sentinelCount; i++) {
    const port = await freePort();
    const dir = join(root, `sentinel-${port}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'sentinel.conf');
    // The sentinel rewrites this file (it records what it learns), hence one writable file each.
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primary} ${Math.floor(sentinelCount / 2) + 1}`,
      `sentinel down-after-milliseconds ${name} 2000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`, '',
    ].join('\n'));
    children.set(port, spawnRedis(port, [conf, '--sentinel', '--loglevel', 'warning']));
    sentinelPorts.push(port);
  }
  for (const port of sentinelPorts) await pingable(port, `sentinel on ${port}`);

  const sentinel = (port: number) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 200 }).on('error', () => {});
  const ask = sentinel(sentinelPorts[0]!);
  const group: SentinelGroup = {
    name,
    sentinelPorts,
    dataPorts,
    env: {
      // Only the scheme (and password / db, none here) of REDIS_URL counts with sentinels.
      REDIS_URL: `redis://127.0.0.1:${primary}`,
      REDIS_SENTINELS: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
      REDIS_SENTINEL_NAME: name,
    },
    async primaryPort() {
      const [, port] = (await ask.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string];
      return Number(port);
    },
    async kill(port) {
      const node = children.get(port);
      if (!node) return;
      node.child.kill('SIGKILL');
      await node.exited;
    },
    async restart(port) {
      await group.kill(port);
      await startData(port);
    },
    async dispose() {
      ask.disconnect();
      for (const node of children.values()) node.child.kill('SIGKILL');
      await Promise.all([...children.values()].map((n) => n.exited));
      children.clear();
      rmSync(root, { recursive: true, force: true });
    },
  };

  // A failover needs every sentinel to know the replicas and the other sentinels (learnt over
  // the primary's hello channel, every 2 s) and the replicas to be in sync.
  try {
    await waitUntil(async () => {
      for (const port of sentinelPorts) {
        const s = sentinel(port);
        try {
          const replicas = (await s.call('SENTINEL', 'replicas', name)) as string[][];
          const others = (await s.call('SENTINEL', 'sentinels', name)) as string[][];
          const linked = replicas.filter((r) => !r.join(' ').includes('disconnected') && r[r.indexOf('master-link-status') + 1] === 'ok');
          if (linked.length < replicaCount || others.length < sentinelCount - 1) return false;
        } finally {
          s.disconnect();
        }
      }
      return true;
    }, 30_000, 'sentinels to discover the replicas and each other');
  } catch (error) {
    await group.dispose();
    throw error;
  }
  return group;
}
