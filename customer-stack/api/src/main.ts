import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createCustomerApp } from './app.js';

const config = parseStackConfig('customer', process.env);
const app = await createCustomerApp(config);
await app.listen(config.http.port, config.http.host);
