export * from './assert.js';
export * from './envelope/keyring.js';
export * from './envelope/envelope.js';
export * from './pii/pii-guard.js';
export * from './messages/primitives.js';
export * from './messages/messages.js';
export * from './messages/catalog.js';
export * from './money/money.js';
