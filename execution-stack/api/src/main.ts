import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createExecutionApp } from './app.js';
import { parseChainConfig } from './chain/chain-config.js';
import { parseExecutionConfig } from './config/execution-config.js';
import { parsePostTradeConfig } from './aggregation/post-trade-config.js';

const config = parseStackConfig('execution', process.env);
const app = await createExecutionApp(config, parseChainConfig(process.env), parseExecutionConfig(process.env), parsePostTradeConfig(process.env));
await app.listen(config.http.port, config.http.host);
