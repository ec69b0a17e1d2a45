export * from './database.module.js';
export * from './metrics.js';
export * from './wall.module.js';
export * from './health.controller.js';
export * from './logging.js';
export * from './problem.filter.js';
export * from './bootstrap.js';
