/** Global options (flags, else INFERQ_URL / INFERQ_API_KEY) and the client they make. */
import type { Command } from 'commander';
import { createClient, type InferqClient } from '@inferq/client';
import { UsageError } from './exit-codes.js';

/** Options every command shares (defined on the program). */
export interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
  timeout: string;
}

/** What a command runs with. */
export interface CommandContext {
  client: InferqClient;
  json: boolean;
  timeoutMs: number;
}

let open: InferqClient | undefined;

/** Builds the client for the command being run (one per process). */
export function contextOf(command: Command): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const timeoutMs = Number(options.timeout);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new UsageError(`--timeout must be milliseconds (an integer ≥ 0), got "${options.timeout}"`);
  try {
    open ??= createClient({ url: options.url, ...(options.apiKey ? { apiKey: options.apiKey } : {}), timeoutMs });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { client: open, json: options.json === true, timeoutMs };
}

/** Closes the client if one was made (idempotent). */
export function closeClient(): void {
  open?.close();
  open = undefined;
}
