import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FINAL_STATUSES } from '@inferq/contract';
import { scriptSource } from './redis-script.js';

const commandsDir = new URL('./commands/', import.meta.url);
const scriptFiles = readdirSync(commandsDir).filter((f) => f.endsWith('.lua'));

describe('Lua script files', () => {
  it('are all loadable, with their includes expanded and a key count from the name', () => {
    assert.ok(scriptFiles.length >= 8, `found ${scriptFiles.join(', ')}`);
    for (const file of scriptFiles) {
      const { lua, command } = scriptSource(file);
      assert.doesNotMatch(lua, /@include/, `${file}: an include was left unexpanded`);
      assert.match(command, /^inferq_[a-z0-9_]+$/);
    }
    assert.equal(scriptSource('reopen-2.lua').numberOfKeys, 2);
    assert.equal(scriptSource('finish.lua').numberOfKeys, undefined);
  });

  it('document KEYS, ARGV and hash-slot sharing in their header', () => {
    for (const file of scriptFiles) {
      const header = /^(?:#!lua[^\n]*\n)?--\[\[([\s\S]*?)\]\]/.exec(readFileSync(new URL(file, commandsDir), 'utf8'))?.[1] ?? '';
      assert.match(header, /KEYS/, `${file}: header names no KEYS`);
      assert.match(header, /ARGV/, `${file}: header names no ARGV`);
      assert.match(header, /Cluster:/, `${file}: header says nothing about hash slots`);
    }
  });

  it('touch only keys passed in KEYS (no key built from a string inside a script)', () => {
    for (const file of scriptFiles) {
      const { lua } = scriptSource(file);
      // A script builds a key of its own by concatenation (`prefix .. model`); ours concatenate
      // strings only to splice JSON text (cache-hit-4.lua), each such line marked
      // `-- text, not a key`, so any other `..` is a key being built.
      const code = lua.replace(/--\[\[[\s\S]*?\]\]/g, '').split('\n')
        .filter((line) => !line.endsWith('-- text, not a key')).join('\n').replace(/--.*$/gm, '');
      assert.doesNotMatch(code, /\.\./, `${file} concatenates strings: a key built inside the script?`);
    }
  });

  it("agree with the contract's final statuses", () => {
    const lua = readFileSync(new URL('includes/is-final.lua', commandsDir), 'utf8');
    const listed = [...(/local FINAL = \{([^}]*)\}/.exec(lua)?.[1] ?? '').matchAll(/(\w+) = true/g)].map((m) => m[1]);
    assert.deepEqual(new Set(listed), new Set(FINAL_STATUSES));
  });

  it('reject a file name that does not follow the convention', () => {
    assert.throws(() => scriptSource('Finish.lua'), /not named/);
  });
});

describe('Lua outside commands/', () => {
  it('is nowhere: no eval of inline strings, no defineCommand but the loader', () => {
    const root = new URL('../../../', import.meta.url);
    const sources = (dir: URL): URL[] => readdirSync(dir).flatMap((entry) => {
      if (entry === 'node_modules') return [];
      const url = new URL(entry, dir);
      if (statSync(url).isDirectory()) return sources(new URL(`${entry}/`, dir));
      return entry.endsWith('.ts') && !entry.endsWith('.test.ts') ? [url] : [];
    });
    const files = ['apps/', 'packages/'].flatMap((top) => readdirSync(new URL(top, root)).map((name) => new URL(`${top}${name}/src/`, root)))
      .filter((dir) => { try { return statSync(dir).isDirectory(); } catch { return false; } })
      .flatMap(sources);
    assert.ok(files.length > 50);
    for (const file of files) {
      if (file.pathname.endsWith('/redis-script.ts')) continue;
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /\.(eval|evalsha)\(|defineCommand\(/, `${file.pathname} runs Lua outside the loader`);
    }
  });
});
