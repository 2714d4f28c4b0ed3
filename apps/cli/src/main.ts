/** Entry of `inferq`: runs the command, prints errors on stderr, exits with a documented code. */
import { CommanderError, type Command } from 'commander';
import { InferqClientError } from '@inferq/client';
import { closeClient } from './context.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { buildProgram } from './program.js';

const program = buildProgram();
const exitOnUsage = (command: Command): void => {
  command.exitOverride();
  for (const sub of command.commands) exitOnUsage(sub);
};
exitOnUsage(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end in a "error" too; they are successes.
    process.exitCode = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? EXIT.OK : EXIT.USAGE;
  } else {
    const json = process.argv.includes('--json');
    const code = exitCodeOf(error);
    if (json && error instanceof InferqClientError) {
      process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, status: error.status, ...(error.predictionId ? { predictionId: error.predictionId } : {}) } })}\n`);
    }
    const label = error instanceof InferqClientError ? `${error.code}${error.status ? ` (HTTP ${error.status})` : ''}` : 'error';
    process.stderr.write(`inferq: ${label}: ${(error as Error).message}\n`);
    process.exitCode = code;
  }
} finally {
  closeClient();
}
