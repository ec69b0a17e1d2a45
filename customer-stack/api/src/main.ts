import { createCustomerApp } from './app.js';
import { parseConfig } from './config/app-config.js';

const config = parseConfig(process.env);
const app = await createCustomerApp(config);
await app.listen(config.http.port, config.http.host);
