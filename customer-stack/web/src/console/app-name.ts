export const APP_NAME = 'Compliance console';
