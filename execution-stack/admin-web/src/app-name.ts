export const APP_NAME = 'Operator admin';
