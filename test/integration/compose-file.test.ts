/**
 * Static checks of the container files (docker-compose.yml, Dockerfile, Dockerfile.gpu,
 * .dockerignore) against the code, since no test here can run Docker. Starts no container and no
 * inferq process; the API healthcheck command is run against a stub HTTP server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadApiConfig } from '../../apps/api/src/config.js';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---- docker-compose.yml -------------------------------------------------------------------------

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: unknown[];
  container_name?: string;
  hostname?: string;
  profiles?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { source?: string; target?: string })[];
  stop_grace_period?: string;
  deploy?: { replicas?: number; resources?: { reservations?: { devices?: { driver?: string; count?: string | number; capabilities?: string[] }[] } } };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has no service "${name}"`);
  return found;
};

/** Compose interpolation with defaults only (`${X:-d}`, `${X-d}`, `${X}`), so the test does not depend on the caller's shell. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
}

function environmentOf(svc: Service): Env {
  const env: Env = {};
  if (Array.isArray(svc.environment)) {
    for (const entry of svc.environment) {
      const eq = entry.indexOf('=');
      env[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : interpolate(entry.slice(eq + 1));
    }
  } else {
    for (const [name, value] of Object.entries(svc.environment ?? {})) env[name] = value === null ? '' : interpolate(String(value));
  }
  return env;
}

function commandOf(svc: Service): string[] {
  const { command } = svc;
  if (command === undefined) return [];
  return Array.isArray(command) ? command.map(String) : command.trim().split(/\s+/);
}

/** Compose durations: `40s`, `1m30s`, `500ms`. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  let total = 0;
  let rest = text.trim();
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|us|h|m|s)/.exec(rest);
    assert.ok(match, `bad duration "${text}"`);
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

const dependsOnHealthy = (svc: Service, target: string): boolean =>
  !Array.isArray(svc.depends_on) && svc.depends_on?.[target]?.condition === 'service_healthy';

// ---- Dockerfiles --------------------------------------------------------------------------------

interface Instruction { keyword: string; args: string }

/** Instructions of a Dockerfile: comments dropped, continuation lines joined. */
function dockerfileInstructions(path: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of read(path).split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());
  return logical.map((l) => {
    const space = l.search(/\s/);
    return { keyword: l.slice(0, space).toUpperCase(), args: l.slice(space + 1).trim() };
  });
}

/** The instructions of the last stage (what the image runs). */
function finalStage(instructions: Instruction[]): Instruction[] {
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

/** `ENV A=1 B=2` instructions of a stage, merged. */
function stageEnv(stage: Instruction[]): Env {
  const env: Env = {};
  for (const { keyword, args } of stage) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      assert.ok(eq > 0, `use ENV KEY=value (got "${args}")`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

function cmdOf(stage: Instruction[]): string[] {
  const cmd = stage.filter((i) => i.keyword === 'CMD').at(-1);
  assert.ok(cmd, 'the image has a CMD');
  const parsed = JSON.parse(cmd.args) as unknown;
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), 'CMD is in exec (JSON array) form, so node is PID 1 of its own and gets SIGTERM');
  return parsed;
}

const DOCKERFILES = ['Dockerfile', 'Dockerfile.gpu'] as const;
const rootPackage = JSON.parse(read('package.json')) as { scripts: Record<string, string>; workspaces: string[]; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const scriptCommand = (name: string): string[] => {
  const script = rootPackage.scripts[name];
  assert.ok(script, `package.json has a "${name}" script`);
  return script.trim().split(/\s+/);
};

/** Workspace directories (with a package.json) matched by package.json's `workspaces` globs (`dir/*` only). */
function workspaceDirs(): string[] {
  return rootPackage.workspaces.flatMap((glob) => {
    assert.ok(glob.endsWith('/*'), `workspace glob "${glob}" is of the form dir/*`);
    const base = glob.slice(0, -2);
    return readdirSync(join(ROOT, base))
      .map((entry) => `${base}/${entry}`)
      .filter((dir) => statSync(join(ROOT, dir)).isDirectory() && existsSync(join(ROOT, dir, 'package.json')));
  });
}

// ---- tests --------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('runs Redis with AOF on, noeviction and a ping healthcheck, on a named volume', () => {
    const redis = service('redis');
    assert.match(redis.image ?? '', /^redis:7/);
    const args = commandOf(redis);
    const option = (name: string) => {
      const at = args.indexOf(`--${name}`);
      return at >= 0 ? args[at + 1] : undefined;
    };
    assert.equal(args[0], 'redis-server');
    assert.equal(option('appendonly'), 'yes');
    assert.ok(['everysec', 'always'].includes(option('appendfsync') ?? ''), 'appendfsync everysec or always');
    assert.equal(option('maxmemory-policy'), 'noeviction', 'BullMQ needs noeviction');
    const test = [redis.healthcheck?.test ?? []].flat().join(' ');
    assert.match(test, /redis-cli\b.*\bping\b/);
    const dataVolume = (redis.volumes ?? [])
      .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
      .find((v) => v.target === '/data');
    assert.ok(dataVolume?.source, 'redis keeps /data on a volume');
    assert.ok(compose.volumes && dataVolume.source in compose.volumes, `volume "${dataVolume.source}" is declared under top-level volumes`);
  });

  for (const name of ['worker', 'worker-gpu']) {
    it(`${name} can be scaled: no container_name, ports, hostname or fixed replicas`, () => {
      const svc = service(name);
      assert.equal(svc.container_name, undefined);
      assert.equal(svc.ports, undefined);
      assert.equal(svc.hostname, undefined);
      assert.equal(svc.deploy?.replicas, undefined, 'replicas come from --scale');
    });

    it(`${name} gets longer to stop than its graceful shutdown takes, and waits for a healthy Redis`, () => {
      const svc = service(name);
      const config = loadWorkerConfig(environmentOf(svc));
      assert.ok(svc.stop_grace_period, 'stop_grace_period is set (Docker default: 10 s)');
      assert.ok(durationMs(svc.stop_grace_period) > config.shutdownTimeoutMs,
        `stop_grace_period ${svc.stop_grace_period} must exceed SHUTDOWN_TIMEOUT_MS ${config.shutdownTimeoutMs}`);
      assert.ok(dependsOnHealthy(svc, 'redis'));
    });
  }

  it('api depends on a healthy Redis, publishes its port and checks /v2/health/ready', () => {
    const api = service('api');
    assert.ok(dependsOnHealthy(api, 'redis'));
    const config = loadApiConfig({ ...stageEnv(finalStage(dockerfileInstructions('Dockerfile'))), ...environmentOf(api) });
    assert.equal(config.host, '0.0.0.0', 'the API listens on all interfaces in the container');
    const published = (api.ports ?? []).map(String).map((p) => Number(p.split(':').at(-1)));
    assert.ok(published.includes(config.port), `port ${config.port} is published (${JSON.stringify(api.ports)})`);
    assert.match([api.healthcheck?.test ?? []].flat().join(' '), /\/v2\/health\/ready/);
  });

  it('the API healthcheck command succeeds on 200 and fails on 503 (run against a stub server)', async () => {
    const test = service('api').healthcheck?.test;
    assert.ok(Array.isArray(test) && test[0] === 'CMD' && test[1] === 'node', 'healthcheck is ["CMD", "node", ...]');
    let status = 200;
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: status === 200 }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const run = () => new Promise<number>((done) => {
      execFile(process.execPath, test.slice(2), { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, timeout: 10_000 },
        (error) => done(error ? (typeof error.code === 'number' ? error.code : 1) : 0));
    });
    try {
      assert.equal(await run(), 0, 'exit 0 when ready');
      status = 503;
      assert.notEqual(await run(), 0, 'exit non-zero when not ready');
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
    assert.deepEqual(paths, ['/v2/health/ready', '/v2/health/ready']);
  });

  it('worker-gpu is in profile "gpu", reserves NVIDIA GPUs and asks for CUDA; worker runs on the CPU', () => {
    const gpu = service('worker-gpu');
    assert.ok(gpu.profiles?.includes('gpu'));
    const devices = gpu.deploy?.resources?.reservations?.devices ?? [];
    const nvidia = devices.find((d) => d.driver === 'nvidia');
    assert.ok(nvidia, 'a device reservation with driver nvidia');
    assert.ok(nvidia.capabilities?.includes('gpu'));
    assert.ok(nvidia.count === 'all' || (typeof nvidia.count === 'number' && nvidia.count > 0));
    assert.equal(loadWorkerConfig(environmentOf(gpu)).device, 'cuda', 'DEVICE=cuda: each replica leases a GPU');
    assert.equal(environmentOf(gpu).GPU_COUNT, undefined, 'GPU_COUNT lease keys are per host name, i.e. per container: no spreading');
    assert.equal(loadWorkerConfig(environmentOf(service('worker'))).device, 'cpu');
    assert.equal(service('worker').profiles, undefined, 'the CPU worker starts without a profile');
  });

  it("every service's build context and Dockerfile exist", () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!svc.build) {
        assert.ok(svc.image, `${name} has an image or a build`);
        continue;
      }
      const context = resolve(ROOT, typeof svc.build === 'string' ? svc.build : svc.build.context ?? '.');
      const dockerfile = resolve(context, typeof svc.build === 'string' ? 'Dockerfile' : svc.build.dockerfile ?? 'Dockerfile');
      assert.ok(existsSync(context) && statSync(context).isDirectory(), `${name}: context ${context}`);
      assert.ok(existsSync(dockerfile), `${name}: dockerfile ${dockerfile}`);
    }
  });

  it('sets only environment variables that the process it runs reads', () => {
    const apiSource = read('apps/api/src/config.ts');
    const workerSource = read('apps/worker/src/config.ts');
    const monitorSource = read('apps/monitor/src/config.ts');
    for (const [name, svc] of Object.entries(services)) {
      const entry = commandOf(svc).find((a) => a.endsWith('.ts'));
      const source = entry === 'apps/api/src/main.ts' ? apiSource : entry === 'apps/worker/src/main.ts' ? workerSource
        : entry === 'apps/monitor/src/main.ts' ? monitorSource : apiSource + workerSource;
      for (const variable of Object.keys(environmentOf(svc))) {
        assert.ok(source.includes(`'${variable}'`), `${name}: ${variable} is read by neither ${entry ?? 'config.ts'}'s config`);
      }
    }
  });

  it('every environment value passes the config parsers (defaults substituted)', () => {
    assert.doesNotThrow(() => loadApiConfig(environmentOf(service('api'))));
    for (const name of ['worker', 'worker-gpu']) assert.doesNotThrow(() => loadWorkerConfig(environmentOf(service(name))), name);
    assert.doesNotThrow(() => loadMonitorConfig(environmentOf(service('monitor'))));
  });

  it('runs the same command lines as `npm run start:api` / `npm run start:worker` (nothing is started)', () => {
    // The images keep the repository layout under WORKDIR /app, so the relative paths are the same.
    assert.deepEqual(commandOf(service('api')), scriptCommand('start:api'));
    assert.deepEqual(commandOf(service('worker')), scriptCommand('start:worker'));
    assert.deepEqual(commandOf(service('worker-gpu')), scriptCommand('start:worker'));
    assert.deepEqual(commandOf(service('monitor')), scriptCommand('start:monitor'));
    for (const name of ['api', 'worker', 'worker-gpu', 'monitor']) {
      const entry = commandOf(service(name)).at(-1)!;
      assert.ok(existsSync(join(ROOT, entry)), `${name}: ${entry} exists`);
    }
  });
});

describe('Dockerfiles', () => {
  for (const file of DOCKERFILES) {
    it(`${file}: CMD runs an entry file that exists, through tsx, from WORKDIR /app`, () => {
      const stage = finalStage(dockerfileInstructions(file));
      const cmd = cmdOf(stage);
      assert.deepEqual(cmd.slice(0, 3), ['node', '--import', 'tsx']);
      const entry = cmd[3]!;
      assert.ok(existsSync(join(ROOT, entry)), `${entry} exists`);
      assert.equal(stage.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args, '/app');
      const user = stage.filter((i) => i.keyword === 'USER').at(-1)?.args;
      assert.ok(user && !/^(root|0)(:|$)/.test(user), `runs as a non-root user (USER ${user})`);
      const env = stageEnv(stage);
      assert.equal(env.HOST, '0.0.0.0');
      assert.equal(env.NODE_ENV, 'production');
      if (env.MODEL_REPOSITORY) {
        assert.equal(env.MODEL_REPOSITORY, '/app/models');
        assert.ok(stage.some((i) => i.keyword === 'COPY' && /^models\s+(\.\/models|\/app\/models)\/?$/.test(i.args)), 'models are copied to /app/models');
      }
    });

    it(`${file}: copies every workspace package.json before npm ci --omit=dev (tsx is a runtime dependency)`, () => {
      const instructions = dockerfileInstructions(file);
      const npmCi = instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
      assert.ok(npmCi >= 0, 'runs npm ci');
      assert.match(instructions[npmCi]!.args, /--omit=dev/);
      const copied = instructions.slice(0, npmCi).filter((i) => i.keyword === 'COPY').map((i) => i.args).join('\n');
      for (const manifest of ['package.json', 'package-lock.json', '.npmrc']) {
        assert.match(copied, new RegExp(`(^|\\s)${manifest.replace('.', '\\.')}(\\s|$)`), `${manifest} is copied before npm ci`);
      }
      for (const dir of workspaceDirs()) {
        assert.ok(copied.includes(`${dir}/package.json`), `${dir}/package.json is copied before npm ci`);
      }
      assert.ok(rootPackage.dependencies?.tsx, 'tsx is in dependencies, so --omit=dev keeps it');
    });
  }

  it("onnxruntime-node's install script skips the CUDA download for Dockerfile and runs it for Dockerfile.gpu", () => {
    // Its own flag parser, with the environment npm gives a postinstall script in each image.
    const require = createRequire(join(ROOT, 'node_modules/onnxruntime-node/package.json'));
    const { parseInstallFlag } = require('./script/install-utils.js') as { parseInstallFlag: () => unknown };
    const npmrc = /^\s*onnxruntime-node-install\s*=\s*(\S+)/m.exec(read('.npmrc'))?.[1];
    const flagIn = (file: string): unknown => {
      const deps = dockerfileInstructions(file);
      const env = stageEnv(deps.slice(0, deps.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))));
      const names = ['ONNXRUNTIME_NODE_INSTALL', 'ONNXRUNTIME_NODE_INSTALL_CUDA', 'npm_config_onnxruntime_node_install', 'npm_config_onnxruntime_node_install_cuda'];
      const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
      try {
        for (const n of names) delete process.env[n];
        if (npmrc) process.env.npm_config_onnxruntime_node_install = npmrc;
        Object.assign(process.env, env);
        return parseInstallFlag();
      } finally {
        for (const n of names) {
          if (saved[n] === undefined) delete process.env[n];
          else process.env[n] = saved[n];
        }
      }
    };
    assert.equal(flagIn('Dockerfile'), false, 'CPU image: .npmrc skip applies');
    assert.equal(flagIn('Dockerfile.gpu'), true, 'GPU image: forced install (true), whatever .npmrc says');
  });

  it('docs/gpu.md and docs/deployment.md name the CUDA base image and install switch of Dockerfile.gpu', () => {
    const instructions = dockerfileInstructions('Dockerfile.gpu');
    const cudaImage = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('CUDA_IMAGE='))?.args.slice('CUDA_IMAGE='.length);
    assert.ok(cudaImage, 'Dockerfile.gpu has ARG CUDA_IMAGE=<default>');
    const install = stageEnv(instructions).ONNXRUNTIME_NODE_INSTALL;
    assert.ok(install, 'Dockerfile.gpu sets ONNXRUNTIME_NODE_INSTALL');
    for (const doc of ['docs/gpu.md', 'docs/deployment.md']) assert.ok(read(doc).includes(cudaImage), `${doc} names ${cudaImage}`);
    assert.ok(read('docs/gpu.md').includes(`ONNXRUNTIME_NODE_INSTALL=${install}`), `docs/gpu.md shows ONNXRUNTIME_NODE_INSTALL=${install}`);
  });

  it('.dockerignore keeps node_modules (also nested) and .data out of the build context', () => {
    const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const pattern of ['node_modules', '**/node_modules', '.data']) assert.ok(patterns.includes(pattern), `.dockerignore lists ${pattern}`);
    for (const needed of ['.npmrc', 'package-lock.json', 'models', 'apps', 'packages', 'tsconfig.json']) {
      assert.ok(!patterns.includes(needed), `.dockerignore must not exclude ${needed}`);
    }
  });
});

// ---- builds without a registry, with either Compose (docs/deployment.md) -------------------------

describe('container files build offline, with docker-compose 1.29 or Compose v2', () => {
  it('no top-level `name:` (docker-compose 1.29 rejects the file)', () => {
    assert.equal((compose as { name?: unknown }).name, undefined);
  });

  for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
    it(`${file} needs neither BuildKit nor a registry for its frontend`, () => {
      const text = read(file);
      assert.doesNotMatch(text, /^#\s*syntax=/m, 'a # syntax= line makes BuildKit pull the frontend from Docker Hub');
      assert.doesNotMatch(text, /^\s*(RUN|COPY|ADD)\b[^\n]*--(mount|chmod|link)\b/m, 'BuildKit-only flags break the classic builder (docker-compose 1.29)');
    });
  }

  it('both Dockerfiles start from the Node image that scripts/prepare-docker.sh makes', () => {
    const nodeImage = (file: string) => /^ARG NODE_IMAGE=(\S+)$/m.exec(read(file))?.[1];
    assert.match(nodeImage('Dockerfile') ?? '', /^node:\d+-bookworm-slim$/, 'prepare-docker.sh reads the major version from this tag');
    assert.equal(nodeImage('Dockerfile.gpu'), nodeImage('Dockerfile'));
    assert.match(read('scripts/prepare-docker.sh'), /sed -n 's\/\^ARG NODE_IMAGE=\/\/p' Dockerfile/, 'the script takes the tag from the Dockerfile');
  });

  it("the image's HEALTHCHECK is the API's compose healthcheck; services without HTTP turn it off", () => {
    const healthcheck = /^HEALTHCHECK\b[^\n]*(?:\\\n[^\n]*)*?CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    assert.ok(healthcheck, 'Dockerfile has a HEALTHCHECK CMD [...]');
    assert.deepEqual(['CMD', ...(JSON.parse(healthcheck) as string[])], service('api').healthcheck?.test);
    for (const name of ['worker', 'monitor', 'worker-gpu']) assert.equal(service(name).healthcheck?.disable, true, `${name} disables the API healthcheck`);
  });
});
