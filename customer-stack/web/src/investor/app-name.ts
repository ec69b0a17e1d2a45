export const APP_NAME = 'Investor';
