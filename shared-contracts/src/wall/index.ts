export * from './sql.js';
export * from './topology.js';
export * from './runtime.js';
export * from './pg-nonce-store.js';
export * from './publisher.js';
export * from './outbox.js';
export * from './inbound.js';
export * from './wall-config.js';
