import { createCustomerApp } from './app.js';
import { parseCustomerConfig } from './config/customer-config.js';

const config = parseCustomerConfig(process.env);
const app = await createCustomerApp(config);
await app.listen(config.http.port, config.http.host);
