export * from './tensor.js';
export * from './float16.js';
export * from './flatten.js';
export * from './json-values.js';
export * from './json-output.js';
export * from './validate-request.js';
export * from './binary-codec.js';
export * from './batch.js';
