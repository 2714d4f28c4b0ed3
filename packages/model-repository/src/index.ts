export * from './onnx-metadata.js';
export * from './model-config.js';
export * from './model-version.js';
export * from './model-repository.js';
export * from './pipeline-version.js';
