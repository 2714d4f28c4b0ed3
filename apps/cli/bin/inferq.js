#!/usr/bin/env node
// The `inferq` command. In the repository the sources are TypeScript, run through tsx (a
// dependency of the workspace root), the way every app here runs.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
