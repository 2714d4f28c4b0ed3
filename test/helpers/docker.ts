import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a command with a time bound; resolves with its stdout, rejects with its stderr's tail. */
export function run(file: string, args: string[], options: { timeoutMs: number; env?: Record<string, string> }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, {
      cwd: REPO_ROOT, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...options.env },
    }, (error, stdout, stderr) => {
      if (error) {
        const why = error.killed ? `timed out after ${options.timeoutMs} ms` : `exit ${String(error.code)}`;
        reject(new Error(`${file} ${args.join(' ')}: ${why}: ${(stderr || stdout).trim().split('\n').slice(-15).join('\n')}`));
      } else resolve(stdout);
    });
  });
}

/** How to call Compose on this machine: v2 (`docker compose`) or docker-compose 1.x. */
export interface ComposeCli {
  file: string;
  /** Arguments before the Compose command itself. */
  prefix: string[];
  version: string;
}

/** The Compose the machine has, or why there is none. Prefers v2. */
export async function findCompose(): Promise<ComposeCli | string> {
  const tries: ComposeCli[] = [
    { file: 'docker', prefix: ['compose'], version: '' },
    { file: 'docker-compose', prefix: [], version: '' },
  ];
  const failures: string[] = [];
  for (const cli of tries) {
    try {
      const version = (await run(cli.file, [...cli.prefix, 'version', '--short'], { timeoutMs: 20_000 })).trim();
      return { ...cli, version };
    } catch (error) {
      failures.push(`\`${[cli.file, ...cli.prefix].join(' ')}\`: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return `no Docker Compose (${failures.join('; ')}); install docker-compose (apt-get install docker-compose) or the Compose v2 plugin`;
}

/** The images the build and docker-compose.yml start from (prepared by scripts/prepare-docker.sh). */
export function baseImages(): string[] {
  const nodeImage = /^ARG NODE_IMAGE=(\S+)/m.exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))?.[1];
  const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const redisImage = /^ {2}redis:\n(?: {4}.*\n)*? {4}image: (\S+)/m.exec(compose)?.[1];
  return [nodeImage, redisImage].filter((x): x is string => x !== undefined);
}

/**
 * Why Docker end-to-end tests cannot run here, or undefined when they can: an engine answers,
 * Compose is installed, and the base images exist (made by scripts/prepare-docker.sh, run here
 * when missing and this process may: root with debootstrap).
 */
export async function dockerUnavailable(): Promise<{ reason: string } | { compose: ComposeCli }> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  } catch (error) {
    return { reason: `no Docker engine reachable (${(error as Error).message.split('\n').slice(0, 2).join(' ')}); start dockerd (see docs/deployment.md)` };
  }
  const compose = await findCompose();
  if (typeof compose === 'string') return { reason: compose };
  const missing = async () => {
    const absent: string[] = [];
    for (const image of baseImages()) {
      try { await run('docker', ['image', 'inspect', image], { timeoutMs: 20_000 }); } catch { absent.push(image); }
    }
    return absent;
  };
  let absent = await missing();
  if (absent.length > 0) {
    const isRoot = process.getuid?.() === 0;
    const hasDebootstrap = await run('sh', ['-c', 'command -v debootstrap'], { timeoutMs: 5_000 }).then(() => true, () => false);
    if (!isRoot || !hasDebootstrap) {
      return { reason: `base image(s) ${absent.join(', ')} missing and cannot be made here (${isRoot ? 'no debootstrap' : 'not root'}); run \`sudo scripts/prepare-docker.sh\`` };
    }
    try {
      await run('scripts/prepare-docker.sh', [], { timeoutMs: 15 * 60_000 });
    } catch (error) {
      return { reason: `scripts/prepare-docker.sh failed: ${(error as Error).message}` };
    }
    absent = await missing();
    if (absent.length > 0) return { reason: `scripts/prepare-docker.sh ran but ${absent.join(', ')} still missing` };
  }
  return { compose };
}
