export * from './api-client';
export * from './app-shell';
export * from './brand';
export * from './components';
export * from './hooks';
export * from './money';
export * from './problem';
export * from './time';
