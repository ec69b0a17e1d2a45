export * from './anchors.js';
export * from './verify-file.js';
