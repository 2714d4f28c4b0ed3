/**
 * Side-effect module: import it BEFORE `onnxruntime-node` in every process that loads onnxruntime.
 *
 * onnxruntime's telemetry is on by default: each process writes `/tmp/mat-debug-<pid>.log` and a
 * database under `~/.cache/Microsoft/DeveloperTools/` ("database is locked" errors once several
 * workers run). `ORT_DISABLE_TELEMETRY=1` turns it off; the native library reads it when it loads,
 * so it must be in the environment before the import. A value set by the operator is kept
 * (`ORT_DISABLE_TELEMETRY=0` turns telemetry back on). ESM evaluates imports in order, so
 * `import '@inferq/env/onnxruntime-defaults'` on the line above `import * as ort` is early enough.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export {};
