// `npm start` seeds a fresh installation through this script, before the stack serves: an event
// contract and a security to trade, and two operators (four-eyes actions need two; both settlement approvers) whose private
// keys are written, for the operator admin's sign-in, into DEMO_KEYS_DIR. Development only; it is
// idempotent, so every start may run it.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createExecutionApp } from '../app.js';
import { parseChainConfig } from '../chain/chain-config.js';
import { parseExecutionConfig } from '../config/execution-config.js';
import { parsePostTradeConfig } from '../aggregation/post-trade-config.js';
import { MarketService } from '../market/market.service.js';
import { InstrumentsService } from '../market/instruments.service.js';
import { MembersService } from '../members/members.service.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { DEMO_INSTRUMENTS, DEMO_OPERATORS } from './seed-demo-data.js';

const keysDir = process.env.DEMO_KEYS_DIR;
if (!keysDir || process.env.NODE_ENV === 'production') {
  process.stderr.write('seed-demo: set DEMO_KEYS_DIR (and never run it in production)\n');
  process.exit(2);
}
const config = parseStackConfig('execution', process.env);
// npm start gives the seed the stack's whole environment, market maker included. The simulator
// belongs to the serving stack: started here, it would list every symbol it quotes as an event
// before the seed lists the demo instruments (the security would become an event), register a
// member per seed run, and quote a server that is not listening.
const execution = parseExecutionConfig({ ...process.env, MARKET_MAKER_ENABLED: 'false' });
const app = await createExecutionApp(config, parseChainConfig(process.env), execution, parsePostTradeConfig(process.env));
await app.init();
try {
  const listed = new Set((await app.get(InstrumentsService).all()).map((i) => i.symbol));
  for (const instrument of DEMO_INSTRUMENTS) {
    if (!listed.has(instrument.symbol)) await app.get(MarketService).list(instrument);
  }
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  for (const handle of DEMO_OPERATORS) {
    const file = path.join(keysDir, `${handle}.json`);
    if (existsSync(file)) continue;
    const { publicKey, privateKey } = await generateKeyPair('PS256', { extractable: true });
    const { operatorId, keyId } = await app.get(MembersService).createOperator(handle, await exportJWK(publicKey));
    // Both demo operators may approve settlement batches: four eyes needs two of them.
    await app.get(SettlementService).registerApprover(operatorId, 'system:seed-demo');
    writeFileSync(file, JSON.stringify({ keyId, privateJwk: await exportJWK(privateKey) }, null, 2), { mode: 0o600 });
  }
} finally {
  await app.close();
}
