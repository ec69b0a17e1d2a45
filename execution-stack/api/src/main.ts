import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createExecutionApp } from './app.js';

const config = parseStackConfig('execution', process.env);
const app = await createExecutionApp(config);
await app.listen(config.http.port, config.http.host);
