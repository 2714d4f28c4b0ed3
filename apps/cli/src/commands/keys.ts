/** `inferq keys create|list|revoke` (admin). */
import { Command } from 'commander';
import { contextOf } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { printJson, printTable, time } from '../output.js';

const SCOPES = ['predict', 'read', 'admin'] as const;

export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys (needs an admin key)');
  keys.command('create')
    .description('create a key; the key itself is printed once, keep it')
    .argument('<name>')
    .option('--scopes <list>', 'comma-separated: predict, read, admin', 'predict,read')
    .action(async (name: string, flags: { scopes: string }, command: Command) => {
      const ctx = contextOf(command);
      const scopes = flags.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
      if (bad !== undefined || scopes.length === 0) throw new UsageError(`--scopes takes ${SCOPES.join(', ')}; got "${flags.scopes}"`);
      const created = await ctx.client.keys.create(name, scopes as Array<(typeof SCOPES)[number]>);
      if (ctx.json) return printJson(created);
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(`key ${created.id} "${created.name}" (${created.scopes.join('+')}): shown once, keep it\n`);
    });
  keys.command('list')
    .description('configured and stored keys, revoked ones included')
    .action(async (_flags: unknown, command: Command) => {
      const ctx = contextOf(command);
      const list = await ctx.client.keys.list();
      if (ctx.json) return printJson(list);
      printTable(['id', 'name', 'scopes', 'source', 'created', 'revoked'], list.map((k) => [k.id, k.name, k.scopes.join('+'), k.source, time(k.createdAt), time(k.revokedAt)]));
    });
  keys.command('revoke')
    .description('revoke a stored key (idempotent)')
    .argument('<id>')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const ctx = contextOf(command);
      const revoked = await ctx.client.keys.revoke(id);
      if (ctx.json) return printJson(revoked);
      process.stdout.write(`revoked ${revoked.id} "${revoked.name}" at ${time(revoked.revokedAt)}\n`);
    });
  return keys;
}
