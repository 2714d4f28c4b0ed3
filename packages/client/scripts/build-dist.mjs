#!/usr/bin/env node
// Builds the publishable package into packages/client/dist (git-ignored), to be published
// from there (`npm publish packages/client/dist`): ES2022 JavaScript per entry (esbuild;
// `ws` stays an import, resolved by the installer), declarations (tsc), README, and a
// package.json whose exports point at the built files. The workspace itself keeps resolving
// `@inferq/client` to the TypeScript sources, like every package here.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.argv[2] ?? join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: { index: join(root, 'src/index.ts'), browser: join(root, 'src/browser.ts') },
  outdir: dist, bundle: true, splitting: true, format: 'esm', platform: 'neutral', target: 'es2022',
  external: ['ws'], logLevel: 'warning', chunkNames: 'chunks/[name]-[hash]',
});

// Declarations (they import `@inferq/contract` by name: types only, nothing at run time).
const declarations = mkdtempSync(join(tmpdir(), 'inferq-client-dts-'));
const tsc = spawnSync(process.execPath, [join(root, '../../node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', declarations], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const own = declarations;
for (const file of readdirSync(own)) if (file.endsWith('.d.ts')) cpSync(join(own, file), join(dist, file));
rmSync(declarations, { recursive: true, force: true });

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
delete manifest.scripts;
delete manifest.devDependencies;
manifest.exports = {
  '.': { types: './index.d.ts', browser: './browser.js', default: './index.js' },
  './browser': { types: './browser.d.ts', default: './browser.js' },
  './package.json': './package.json',
};
manifest.types = './index.d.ts';
writeFileSync(join(dist, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
cpSync(join(root, 'README.md'), join(dist, 'README.md'));
console.log(`built ${dist}`);
