/**
 * Reading `config.json` beside a model version. The schema (fields, limits, defaults) is declared
 * once in `@inferq/contract` (`ModelConfig`); this file only applies its compiled check.
 */
import { modelConfigValidator, type ModelConfig } from '@inferq/contract';

export type { InputConfig, ModelConfig } from '@inferq/contract';

/** Validates parsed `config.json` content; errors start with `source` and name the field. */
export function parseModelConfig(value: unknown, source: string): ModelConfig {
  const problem = modelConfigValidator.explain(value);
  if (problem) throw new Error(`${source}: ${problem.message}`);
  return value as ModelConfig;
}
