export * from './auth.js';
export * from './notifications.js';
export * from './customer-stack.js';
