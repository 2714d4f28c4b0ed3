/**
 * @inferq/monitoring: the statistics behind drift and anomaly detection — pure functions, on
 * @stdlib (special functions) and csv-parse. See README.md for which method is chosen when.
 */
export * from './random.js';
export * from './gamma.js';
export * from './erf.js';
export * from './summary.js';
export * from './feature-values.js';
export * from './binning.js';
export * from './ks-distribution.js';
export * from './ks-test.js';
export * from './chi-squared.js';
export * from './z-test.js';
export * from './wasserstein.js';
export * from './jensen-shannon.js';
export * from './psi.js';
export * from './reference-csv.js';
export * from './reference-profile.js';
export * from './prepared-reference.js';
export * from './drift-detector.js';
export * from './holt-winters.js';
export * from './anomaly-rules.js';
