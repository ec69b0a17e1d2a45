export * from './auth.js';
export * from './notifications.js';
