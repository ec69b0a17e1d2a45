// The chain module against a real anvil node, real Postgres and a real JetStream: suites deployed
// once per instrument, wallets registered under opaque references, mint, atomic batched
// settlement, burn, freeze and the pre-trade simulation, the indexer across a reorganisation,
// audit anchoring (announced once confirmed, rebroadcast when a reorganisation drops it first), and
// settlements queued through a chain outage that settle exactly once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { HDNodeWallet, type JsonRpcProvider, Wallet, getAddress, keccak256, toUtf8Bytes } from 'ethers';
import { artifact, attach } from '@bulwark/solidity';
import { parseStackConfig, SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { eventually, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { parseChainConfig } from '../src/chain/chain-config.js';
import { ChainIndexerService } from '../src/chain/chain-indexer.service.js';
import { ChainWorker } from '../src/chain/chain.module.js';
import { ChainService, HOUSE_WALLET_REF } from '../src/chain/chain.service.js';
import { ChainTxService } from '../src/chain/chain-tx.service.js';
import { IntakeService } from '../src/intake/intake.service.js';
import { InstrumentsService } from '../src/market/instruments.service.js';
import { MarketService } from '../src/market/market.service.js';
import { ResolutionService } from '../src/resolution/resolution.service.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest } from '../src/members/request-signature.js';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service.js';
import { ANVIL_OPERATOR_KEY, type RestartableAnvil, TEST_WALLET_MNEMONIC, startChainTestServices, type ChainTestServices } from './support/anvil-node.js';
import { SettlementService, approvalPayload } from '../src/settlement/settlement.service.js';

let services: ChainTestServices;
let nats: TestNats;
let database: TestDatabase;
let anvil: RestartableAnvil;
let app: INestApplication;
let chain: ChainService;
let worker: ChainWorker;
let indexer: ChainIndexerService;
let db: SqlDatabase;
let provider: JsonRpcProvider;

const instrumentId = randomUUID();
const omnibusRef = randomUUID();
const memberRef = randomUUID();
const makerRef = randomUUID();
/** A tenant whose omnibus wallet the configuration names (CHAIN_OMNIBUS_WALLETS). */
const configuredTenantRef = randomUUID();
const SRI_LANKA = 144;
const UNIT = 1_000_000n; // token base units per instrument unit (6 decimals)

async function startApp(): Promise<INestApplication> {
  return services.startApp({ CHAIN_OMNIBUS_WALLETS: `${configuredTenantRef}:${SRI_LANKA}`, CHAIN_LISTING_SUPPLY_UNITS: '5000' });
}

/** Stops the stack and starts it again on the same database and chain (what survives is what was recorded). */
async function restartApp(): Promise<void> {
  await app.close();
  app = await startApp();
  chain = app.get(ChainService);
  worker = app.get(ChainWorker);
  indexer = app.get(ChainIndexerService);
  db = app.get(SQL_DATABASE);
}

async function token() {
  const [row] = await db.transaction((tx) => tx.query<{ token_address: string; contracts: { identityRegistry: string } }>(
    `SELECT token_address, contracts FROM chain_instrument WHERE instrument_id = $1`, [instrumentId],
  ));
  if (!row) throw new Error('instrument not deployed');
  return { token: attach('Token', row.token_address, provider), registry: attach('IdentityRegistry', row.contracts.identityRegistry, provider) };
}

/** The deployment steps of an instrument's suite (pipeline transactions) and how many of them are mined. */
async function suiteSteps(ref: string): Promise<{ steps: number; mined: number }> {
  const [row] = await db.transaction((tx) => tx.query<{ steps: number; mined: number }>(
    `SELECT count(*)::int AS steps, (count(*) FILTER (WHERE status = 'mined'))::int AS mined FROM chain_tx WHERE operation = 'deploy' AND ref = $1`, [ref],
  ));
  return row!;
}

async function walletOf(ref: string): Promise<string> {
  const [row] = await db.transaction((tx) => tx.query<{ wallet_address: string }>(`SELECT wallet_address FROM chain_wallet WHERE wallet_ref = $1`, [ref]));
  if (!row) throw new Error(`no wallet ${ref}`);
  return row.wallet_address;
}

async function balanceOf(ref: string): Promise<bigint> {
  return (await token()).token.getFunction('balanceOf')(await walletOf(ref)) as Promise<bigint>;
}

/** Runs worker cycles until the queue holds no open transaction. */
async function drain(cyclesMax = 40): Promise<void> {
  for (let i = 0; i < cyclesMax; i += 1) {
    await worker.runOnce();
    const [open] = await db.transaction((tx) => tx.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM chain_tx WHERE status IN ('pending', 'signed')) + (SELECT count(*) FROM chain_settlement WHERE status = 'queued')
            + (SELECT count(*) FROM chain_anchor WHERE chain_tx_id IS NULL) + (SELECT count(*) FROM chain_listing WHERE status = 'queued')
            + (SELECT count(*) FROM chain_wallet WHERE identity_contract IS NULL) AS n`,
    ));
    if (open?.n === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('chain work did not drain');
}

beforeAll(async () => {
  services = await startChainTestServices();
  ({ nats, database, anvil, provider } = services);
  app = await startApp();
  chain = app.get(ChainService);
  worker = app.get(ChainWorker);
  indexer = app.get(ChainIndexerService);
  db = app.get(SQL_DATABASE);
}, 120_000);

afterAll(async () => {
  await services?.close(app);
});

describe('deployment and registration', () => {
  it('registers wallets under opaque references: the claim holds only a hash of the reference', async () => {
    await chain.houseWallet();
    const omnibus = await chain.registerWallet(omnibusRef, 'omnibus', SRI_LANKA);
    await chain.registerWallet(memberRef, 'member', SRI_LANKA);
    await chain.registerWallet(makerRef, 'member', SRI_LANKA);
    expect(await chain.registerWallet(omnibusRef, 'omnibus', SRI_LANKA)).toBe(omnibus); // idempotent
    const [row] = await db.transaction((tx) => tx.query<{ identity_contract: string }>(`SELECT identity_contract FROM chain_wallet WHERE wallet_ref = $1`, [omnibusRef]));
    const identity = attach('Identity', row!.identity_contract, provider);
    const claimIds = (await identity.getFunction('getClaimIdsByTopic')(1n)) as string[];
    const claim = (await identity.getFunction('getClaim')(claimIds[0])) as { data: string };
    expect(claim.data).toBe(keccak256(toUtf8Bytes(omnibusRef)));
    expect(claim.data).not.toContain(omnibusRef.replaceAll('-', ''));
  }, 60_000);

  it('deploys an instrument once, registers the known wallets in it, and mints its listing supply', async () => {
    const address = await chain.listInstrument({ instrumentId, symbol: 'LKBOND-A', supply: '1000', holderRef: makerRef });
    expect(await chain.ensureInstrument(instrumentId, 'LKBOND-A')).toBe(address);
    await drain();
    const { registry } = await token();
    for (const ref of [omnibusRef, memberRef, makerRef]) expect(await registry.getFunction('isVerified')(await walletOf(ref))).toBe(true);
    expect(await balanceOf(makerRef)).toBe(1000n * UNIT);
    expect(await suiteSteps(instrumentId)).toEqual({ steps: 11, mined: 11 });
  }, 120_000);

  it('does not redeploy after a restart: the deployment is recorded', async () => {
    await restartApp();
    const before = (await token()).token.target;
    expect(await chain.ensureInstrument(instrumentId, 'LKBOND-A')).toBe(before);
    expect(await suiteSteps(instrumentId)).toEqual({ steps: 11, mined: 11 });
  }, 60_000);
});

describe('listing', () => {
  it('deploys a listed instrument through the queue: suite, configured omnibus and house wallets verified, listing supply minted to the house', async () => {
    const listed = await app.get(MarketService).list({ symbol: 'LK-LISTED-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    expect(await chain.listingStatus(listed.id)).toBe('queued');
    // Not tradable until deployed: the pre-trade check refuses it.
    expect(await chain.preTradeCheck({ instrumentId: listed.id, walletRef: configuredTenantRef, side: 'buy', quantity: '1' })).toBe('instrument_not_on_chain');
    await drain();
    expect(await chain.listingStatus(listed.id)).toBe('deployed');
    const [row] = await db.transaction((tx) => tx.query<{ token_address: string; contracts: { identityRegistry: string } }>(
      `SELECT token_address, contracts FROM chain_instrument WHERE instrument_id = $1`, [listed.id],
    ));
    const listedToken = attach('Token', row!.token_address, provider);
    const registry = attach('IdentityRegistry', row!.contracts.identityRegistry, provider);
    for (const ref of [configuredTenantRef, HOUSE_WALLET_REF]) expect(await registry.getFunction('isVerified')(await walletOf(ref))).toBe(true);
    expect(await listedToken.getFunction('balanceOf')(await walletOf(HOUSE_WALLET_REF))).toBe(5000n * UNIT);
    expect(await listedToken.getFunction('totalSupply')()).toBe(5000n * UNIT);
    // The configured omnibus can buy now (from the house, for an outside venue); listing again changes nothing.
    expect(await chain.preTradeCheck({ instrumentId: listed.id, walletRef: configuredTenantRef, side: 'buy', quantity: '1' })).toBeNull();
    expect((await app.get(MarketService).list({ symbol: 'LK-LISTED-YES', kind: 'event', tickSize: '0.01', lotSize: '1' })).id).toBe(listed.id);
    await drain();
    expect(await listedToken.getFunction('totalSupply')()).toBe(5000n * UNIT);
    const [mints] = await db.transaction((tx) => tx.query<{ n: string }>(`SELECT count(*) AS n FROM chain_tx WHERE operation = 'mint' AND ref = $1`, [`listing:${listed.id}`]));
    expect(mints?.n).toBe('1');
  }, 120_000);

  it('queues the instruments listed before the chain was configured when the stack starts with one', async () => {
    await app.close();
    // The same database served once without a chain: a listing then queues nothing.
    const env = testStackEnv('execution', database, nats);
    const chainless = await createExecutionApp(parseStackConfig('execution', env), parseChainConfig(env));
    await chainless.init();
    const early = await chainless.get(InstrumentsService).list({ symbol: 'LK-EARLY-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    await chainless.close();
    await restartApp();
    expect(await chain.listingStatus(early.id)).toBe('queued');
    await drain();
    expect(await chain.listingStatus(early.id)).toBe('deployed');
  }, 120_000);

  it('survives a reorganisation that drops the suite mid-listing with its nonce taken: the token is re-signed at its recorded address, deployed once, wired, minted, and settles', async () => {
    const listed = await app.get(MarketService).list({ symbol: 'LK-REORG-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    await drain();
    const [row] = await db.transaction((tx) => tx.query<{ token_address: string; contracts: { identityRegistry: string; compliance: string } }>(
      `SELECT token_address, contracts FROM chain_instrument WHERE instrument_id = $1`, [listed.id],
    ));
    const steps = await db.transaction((tx) => tx.query<{ id: string; tx_hash: string; block_number: string; nonce: string; call_data: string }>(
      `SELECT id, tx_hash, block_number, nonce, call_data FROM chain_tx WHERE operation = 'deploy' AND ref = $1 ORDER BY id`, [listed.id],
    ));
    const tokenStep = steps.find((s) => s.call_data.includes(artifact('Token').bytecode.slice(2, 2_000)))!;
    expect(tokenStep).toBeDefined();
    expect(steps.indexOf(tokenStep)).toBeLessThan(steps.length - 1); // its wiring comes after it

    // The chain reorganises without the token's block and everything after it (wiring, registrations,
    // mint); on the new branch the operator's nonce of the token's step is used by another transaction.
    const head = await provider.getBlockNumber();
    await anvil.rpc('anvil_reorg', [head - Number(tokenStep.block_number) + 1, []]);
    expect(await provider.getCode(row!.token_address)).toBe('0x');
    const operator = new Wallet(ANVIL_OPERATOR_KEY, provider);
    await (await operator.sendTransaction({ to: operator.address, value: 0n, nonce: Number(tokenStep.nonce) })).wait();
    await app.get(ChainTxService).reopenDropped();
    // Until its suite is back on chain the instrument does not trade.
    expect(await chain.preTradeCheck({ instrumentId: listed.id, walletRef: configuredTenantRef, side: 'buy', quantity: '1' })).toBe('instrument_not_on_chain');

    await drain();
    const redeployed = (await db.transaction((tx) => tx.query<{ tx_hash: string; nonce: string; status: string }>(
      `SELECT tx_hash, nonce, status FROM chain_tx WHERE id = $1`, [tokenStep.id],
    )))[0]!;
    expect(redeployed.status).toBe('mined');
    expect(Number(redeployed.nonce)).toBeGreaterThan(Number(tokenStep.nonce)); // signed afresh ...
    expect(await provider.getCode(row!.token_address)).not.toBe('0x'); // ... at the recorded address
    expect(await suiteSteps(listed.id)).toEqual({ steps: steps.length, mined: steps.length }); // no step queued twice
    const listedToken = attach('Token', row!.token_address, provider);
    expect(await listedToken.getFunction('identityRegistry')()).toBe(getAddress(row!.contracts.identityRegistry));
    expect(await listedToken.getFunction('compliance')()).toBe(getAddress(row!.contracts.compliance));
    expect(await listedToken.getFunction('isAgent')(operator.address)).toBe(true);
    const registry = attach('IdentityRegistry', row!.contracts.identityRegistry, provider);
    for (const ref of [configuredTenantRef, HOUSE_WALLET_REF]) expect(await registry.getFunction('isVerified')(await walletOf(ref))).toBe(true);
    expect(await listedToken.getFunction('totalSupply')()).toBe(5000n * UNIT); // minted once

    const leg = { settlementId: randomUUID(), instrumentId: listed.id, fromRef: HOUSE_WALLET_REF, toRef: configuredTenantRef, quantity: '3' };
    await db.transaction((tx) => chain.queueSettlements(tx, [leg]));
    await drain();
    expect(await listedToken.getFunction('balanceOf')(await walletOf(configuredTenantRef))).toBe(3n * UNIT);
    const [settled] = await db.transaction((tx) => tx.query<{ status: string }>(`SELECT status FROM chain_settlement WHERE settlement_id = $1`, [leg.settlementId]));
    expect(settled?.status).toBe('settled');
  }, 180_000);

  it('rebroadcasts a wallet Identity a reorganisation dropped with the same bytes: the wallet is verified with its claim, the Identity deployed once', async () => {
    const lateRef = randomUUID();
    await chain.registerWallet(lateRef, 'member', SRI_LANKA);
    const [wallet] = await db.transaction((tx) => tx.query<{ identity_contract: string }>(`SELECT identity_contract FROM chain_wallet WHERE wallet_ref = $1`, [lateRef]));
    const steps = async () => db.transaction((tx) => tx.query<{ id: string; tx_hash: string; block_number: string; status: string }>(
      `SELECT id, tx_hash, block_number, status FROM chain_tx WHERE operation = 'identity' AND ref = $1 ORDER BY id`, [lateRef],
    ));
    const before = await steps();
    expect(before.map((s) => s.status)).toEqual(['mined', 'mined']);
    const head = await provider.getBlockNumber();
    await anvil.rpc('anvil_reorg', [head - Number(before[0]!.block_number) + 1, []]);
    expect(await provider.getCode(wallet!.identity_contract)).toBe('0x');

    await drain();
    expect(await steps()).toEqual(before.map((s) => ({ ...s, block_number: expect.any(String) }))); // the same transactions, mined again
    expect(await provider.getCode(wallet!.identity_contract)).not.toBe('0x');
    const identity = attach('Identity', wallet!.identity_contract, provider);
    const claimIds = (await identity.getFunction('getClaimIdsByTopic')(1n)) as string[];
    expect(claimIds).toHaveLength(1);
    const { registry } = await token();
    expect(await registry.getFunction('isVerified')(await walletOf(lateRef))).toBe(true);
  }, 120_000);
});

describe('settlement', () => {
  it('settles a cycle of legs from one seller as one atomic batch transaction', async () => {
    const legs = [
      { settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: omnibusRef, quantity: '10.5' },
      { settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: memberRef, quantity: '4' },
      { settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: omnibusRef, quantity: '0.000001' },
    ];
    await db.transaction((tx) => chain.queueSettlements(tx, legs));
    expect(await db.transaction((tx) => chain.queueSettlements(tx, legs))).toBe(0); // a leg is queued once
    await drain();
    const rows = await db.transaction((tx) => tx.query<{ status: string; chain_tx_id: string }>(
      `SELECT status, chain_tx_id FROM chain_settlement WHERE settlement_id = ANY($1::uuid[])`, [legs.map((l) => l.settlementId)],
    ));
    expect(rows.map((r) => r.status)).toEqual(['settled', 'settled', 'settled']);
    expect(new Set(rows.map((r) => r.chain_tx_id)).size).toBe(1);
    expect(await balanceOf(omnibusRef)).toBe(10_500_001n);
    expect(await balanceOf(memberRef)).toBe(4n * UNIT);
    expect(await balanceOf(makerRef)).toBe(1000n * UNIT - 14_500_001n);
    // The indexer confirms the legs from the batch's Transfer events once they are deep enough.
    await anvil.mine(2);
    await indexer.indexOnce();
    const confirmed = await db.transaction((tx) => tx.query<{ confirmed_block: string | null; block_number: string }>(
      `SELECT s.confirmed_block, t.block_number FROM chain_settlement s JOIN chain_tx t ON t.id = s.chain_tx_id WHERE s.settlement_id = ANY($1::uuid[])`,
      [legs.map((l) => l.settlementId)],
    ));
    expect(confirmed.map((r) => r.confirmed_block)).toEqual(confirmed.map((r) => r.block_number));
    expect((await chain.queues()).settlements.settledUnconfirmed).toBe(0);
  }, 60_000);

  it('records gas per operation', async () => {
    const report = await app.get(ChainService).gasReportByOperation();
    const operations = report.map((r) => r.operation);
    expect(operations).toEqual(expect.arrayContaining(['deploy', 'register', 'mint', 'settlement', 'fund']));
    for (const line of report) expect(BigInt(line.gasUsed)).toBeGreaterThan(0n);
  });
});

describe('pre-trade check and agent operations', () => {
  it('simulates the transfer with eth_call: frozen, unverified or short wallets are refused before the order is accepted', async () => {
    expect(await chain.preTradeCheck({ instrumentId, walletRef: omnibusRef, side: 'buy', quantity: '5' })).toBeNull();
    expect(await chain.preTradeCheck({ instrumentId, walletRef: memberRef, side: 'sell', quantity: '4' })).toBeNull();
    expect(await chain.preTradeCheck({ instrumentId, walletRef: memberRef, side: 'sell', quantity: '4.000001' })).toBe('insufficient_unfrozen_balance');
    expect(await chain.preTradeCheck({ instrumentId, walletRef: randomUUID(), side: 'buy', quantity: '1' })).toBe('unknown_wallet');
    expect(await chain.preTradeCheck({ instrumentId: randomUUID(), walletRef: omnibusRef, side: 'buy', quantity: '1' })).toBe('instrument_not_on_chain');

    await db.transaction((tx) => chain.freeze(tx, instrumentId, omnibusRef, true, 'instruction-1'));
    await drain();
    expect(await chain.preTradeCheck({ instrumentId, walletRef: omnibusRef, side: 'buy', quantity: '5' })).toBe('receiver_frozen');
    expect(await chain.preTradeCheck({ instrumentId, walletRef: omnibusRef, side: 'sell', quantity: '1' })).toBe('sender_frozen');
    await db.transaction((tx) => chain.freeze(tx, instrumentId, omnibusRef, false, 'instruction-2'));
    await drain();
    expect(await chain.preTradeCheck({ instrumentId, walletRef: omnibusRef, side: 'buy', quantity: '5' })).toBeNull();
  }, 60_000);

  it('intake answers an omnibus intent the chain would refuse with transfer_not_compliant, before it is accepted', async () => {
    const listed = await app.get(InstrumentsService).list({ symbol: 'LKBOND-B', kind: 'security', tickSize: '0.01', lotSize: '1' });
    await chain.ensureInstrument(listed.id, 'LKBOND-B');
    const intent = (quantity: string) => ({
      meta: { v: 1, kid: 'test', subject: 'bulwark.c2e.intent.submitted.v1', id: randomUUID(), nonce: randomUUID(), ts: Date.now() },
      streamSeq: 1,
      body: {
        intentId: randomUUID(), accountRef: randomUUID(), tenantRef: omnibusRef, instrumentId: listed.id, side: 'sell' as const,
        quantity, limitPrice: '1.00', timeInForce: 'GTC' as const, submittedAt: new Date().toISOString(),
      },
    });
    const sell = intent('3'); // the omnibus holds none of LKBOND-B: the batch transfer would revert
    await db.transaction((tx) => app.get(IntakeService).onSubmitted(tx, [sell]));
    const answers = await db.transaction((tx) => tx.query<{ subject: string; body: string }>(
      `SELECT subject, body FROM wall_outbox WHERE body::jsonb ->> 'intentId' = $1`, [sell.body.intentId],
    ));
    expect(answers.map((a) => [a.subject, (JSON.parse(a.body) as { code?: string }).code])).toEqual([['bulwark.e2c.intent.rejected.v1', 'transfer_not_compliant']]);

    await db.transaction((tx) => chain.mint(tx, listed.id, omnibusRef, '3', 'listing-b'));
    await drain();
    const accepted = intent('3');
    await db.transaction((tx) => app.get(IntakeService).onSubmitted(tx, [accepted]));
    const [answer] = await db.transaction((tx) => tx.query<{ subject: string }>(`SELECT subject FROM wall_outbox WHERE body::jsonb ->> 'intentId' = $1`, [accepted.body.intentId]));
    expect(answer?.subject).toBe('bulwark.e2c.intent.accepted.v1');
  }, 60_000);

  it('burns holdings on resolution in one batch', async () => {
    await db.transaction((tx) => chain.burn(tx, instrumentId, [{ walletRef: memberRef, quantity: '4' }, { walletRef: omnibusRef, quantity: '0.5' }], 'resolution-1'));
    await drain();
    expect(await balanceOf(memberRef)).toBe(0n);
    expect(await balanceOf(omnibusRef)).toBe(10_000_001n);
  }, 60_000);
});

describe('event indexer', () => {
  it('indexes Transfer, freezes and anchored roots once confirmed, and survives a reorganisation', async () => {
    await anvil.mine(2);
    await indexer.indexOnce();
    const transfers = await indexer.events({ name: 'Transfer' });
    expect(transfers.length).toBeGreaterThanOrEqual(6); // mint, 3 settlement legs, 2 burns
    expect((await indexer.events({ name: 'AddressFrozen' })).map((e) => e.args.isFrozen)).toEqual([true, false]);

    // A transfer lands and is indexed; then the chain reorganises it away and a different one replaces it.
    const snapshot = await anvil.rpc<string>('evm_snapshot');
    const first = { settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: memberRef, quantity: '7' };
    await db.transaction((tx) => chain.queueSettlements(tx, [first]));
    await drain();
    await anvil.mine(1);
    await indexer.indexOnce();
    const memberWallet = (await walletOf(memberRef)).toLowerCase();
    const toMember = async () => (await indexer.events({ name: 'Transfer' })).filter((e) => String(e.args.to).toLowerCase() === memberWallet).map((e) => e.args.value);
    expect(await toMember()).toContain(String(7n * UNIT));

    // The reorganisation drops the block of the 7-unit transfer: the indexer forgets its event and
    // the pipeline, seeing its mined transaction gone, rebroadcasts the same signed bytes.
    const [dropped] = await db.transaction((tx) => tx.query<{ tx_hash: string }>(
      `SELECT t.tx_hash FROM chain_settlement s JOIN chain_tx t ON t.id = s.chain_tx_id WHERE s.settlement_id = $1`, [first.settlementId],
    ));
    await anvil.rpc('evm_revert', [snapshot]);
    expect(await provider.getTransactionReceipt(dropped!.tx_hash)).toBeNull();
    const second = { settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: memberRef, quantity: '3' };
    await db.transaction((tx) => chain.queueSettlements(tx, [second]));
    await drain();
    await anvil.mine(3);
    await indexer.indexOnce();
    // Each transfer is on the new branch exactly once, the dropped one under its old hash (same bytes).
    const after = await toMember();
    expect(after.filter((v) => v === String(7n * UNIT))).toHaveLength(1);
    expect(after.filter((v) => v === String(3n * UNIT))).toHaveLength(1);
    expect((await provider.getTransactionReceipt(dropped!.tx_hash))?.status).toBe(1);
    const confirmation = async (id: string) => (await db.transaction((tx) => tx.query<{ status: string; confirmed_block: string | null }>(
      `SELECT status, confirmed_block FROM chain_settlement WHERE settlement_id = $1`, [id],
    )))[0];
    for (const id of [first.settlementId, second.settlementId]) expect(await confirmation(id)).toEqual({ status: 'settled', confirmed_block: expect.any(String) });
    expect(await balanceOf(memberRef)).toBe(10n * UNIT);
  }, 90_000);

  it('rebroadcasts a settlement a reorganisation dropped before the indexer confirmed it, signing afresh once another transaction took its nonce: it settles once', async () => {
    const before = { member: await balanceOf(memberRef), maker: await balanceOf(makerRef) };
    const leg = { settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: memberRef, quantity: '2' };
    await db.transaction((tx) => chain.queueSettlements(tx, [leg]));
    await drain();
    const minedTx = async () => (await db.transaction((tx) => tx.query<{ id: string; tx_hash: string; block_number: string; nonce: string; status: string }>(
      `SELECT t.id, t.tx_hash, t.block_number, t.nonce, t.status FROM chain_settlement s JOIN chain_tx t ON t.id = s.chain_tx_id WHERE s.settlement_id = $1`,
      [leg.settlementId],
    )))[0]!;
    const mined = await minedTx();
    expect(mined.status).toBe('mined');
    expect(await balanceOf(memberRef)).toBe(before.member + 2n * UNIT);

    // The chain reorganises to the same height without the settlement's block: the transaction is
    // gone, and on the new branch the seller's nonce is used by another transaction of its own.
    const head = await provider.getBlockNumber();
    await anvil.rpc('anvil_reorg', [head - Number(mined.block_number) + 1, []]);
    expect(await provider.getTransactionReceipt(mined.tx_hash)).toBeNull();
    expect(await balanceOf(memberRef)).toBe(before.member);
    const [seller] = await db.transaction((tx) => tx.query<{ key_index: number }>(`SELECT key_index FROM chain_wallet WHERE wallet_ref = $1`, [makerRef]));
    const sellerWallet = HDNodeWallet.fromPhrase(TEST_WALLET_MNEMONIC, undefined, "m/44'/60'/1'/0").deriveChild(seller!.key_index).connect(provider);
    const other = await sellerWallet.sendTransaction({ to: sellerWallet.address, value: 0n, nonce: Number(mined.nonce) });
    await other.wait();

    await drain();
    await anvil.mine(2);
    await worker.runOnce();
    const resettled = await minedTx();
    expect(resettled).toMatchObject({ id: mined.id, status: 'mined' });
    expect(resettled.tx_hash).not.toBe(mined.tx_hash);
    expect(Number(resettled.nonce)).toBeGreaterThan(Number(mined.nonce));
    expect(await provider.getTransactionReceipt(mined.tx_hash)).toBeNull(); // the old bytes can never land: their nonce is used
    expect(await balanceOf(memberRef)).toBe(before.member + 2n * UNIT);
    expect(await balanceOf(makerRef)).toBe(before.maker - 2n * UNIT);
    const [row] = await db.transaction((tx) => tx.query<{ status: string; confirmed_block: string | null }>(
      `SELECT status, confirmed_block FROM chain_settlement WHERE settlement_id = $1`, [leg.settlementId],
    ));
    expect(row).toEqual({ status: 'settled', confirmed_block: expect.any(String) });
    const memberWallet = (await walletOf(memberRef)).toLowerCase();
    const twoUnits = (await indexer.events({ name: 'Transfer' })).filter((e) => String(e.args.to).toLowerCase() === memberWallet && e.args.value === String(2n * UNIT));
    expect(twoUnits.map((e) => e.txHash)).toEqual([resettled.tx_hash]);
  }, 120_000);

  it('rebroadcasts a wallet registration a reorganisation dropped: the wallet is verified again, registered once', async () => {
    const lateRef = randomUUID();
    await chain.registerWallet(lateRef, 'member', SRI_LANKA);
    const registration = async () => (await db.transaction((tx) => tx.query<{ id: string; tx_hash: string; block_number: string; status: string }>(
      `SELECT id, tx_hash, block_number, status FROM chain_tx WHERE operation = 'register' AND ref = $1 ORDER BY id DESC LIMIT 1`, [instrumentId],
    )))[0]!;
    const mined = await registration();
    expect(mined.status).toBe('mined');
    const { registry } = await token();
    const wallet = await walletOf(lateRef);
    expect(await registry.getFunction('isVerified')(wallet)).toBe(true);

    const head = await provider.getBlockNumber();
    await anvil.rpc('anvil_reorg', [head - Number(mined.block_number) + 1, []]);
    expect(await registry.getFunction('isVerified')(wallet)).toBe(false);
    await drain();
    expect(await registry.getFunction('isVerified')(wallet)).toBe(true);
    expect(await registration()).toMatchObject({ id: mined.id, tx_hash: mined.tx_hash, status: 'mined' });
    const [registered] = await db.transaction((tx) => tx.query<{ n: string }>(
      `SELECT count(*) AS n FROM chain_registration WHERE wallet_ref = $1 AND instrument_id = $2`, [lateRef, instrumentId],
    ));
    expect(registered?.n).toBe('1');
  }, 90_000);
});

describe('audit anchoring', () => {
  /** The audit.anchored.v1 answers waiting in the outbox for batch `batchId`, oldest first. */
  async function anchoredAnswers(batchId: number) {
    const rows = await db.transaction((tx) => tx.query<{ body: string }>(`SELECT body FROM wall_outbox WHERE subject = 'bulwark.e2c.audit.anchored.v1' ORDER BY seq`));
    return rows.map((r) => JSON.parse(r.body) as { batchId: number; merkleRoot: string; txHash: string; blockNumber: number }).filter((b) => b.batchId === batchId);
  }
  async function anchorTx(ref: string) {
    const [row] = await db.transaction((tx) => tx.query<{ id: string; tx_hash: string; block_number: string; status: string }>(
      `SELECT id, tx_hash, block_number, status FROM chain_tx WHERE operation = 'anchor' AND ref = $1`, [ref],
    ));
    return row!;
  }
  const anchorStatus = async (batchId: number) => (await db.transaction((tx) => tx.query<{ status: string }>(
    `SELECT status FROM chain_anchor WHERE log = 'customer' AND batch_id = $1`, [batchId],
  )))[0]?.status;

  it('anchors a customer batch root and answers audit.anchored.v1 with the transaction and block once the indexer confirmed it', async () => {
    const root = 'ab'.repeat(32);
    await db.transaction((tx) => chain.requestAnchor(tx, 'customer', { batchId: 1, merkleRoot: root, entryCount: 10, firstSeq: 1, lastSeq: 10 }));
    expect(await db.transaction((tx) => chain.requestAnchor(tx, 'customer', { batchId: 1, merkleRoot: root, entryCount: 10, firstSeq: 1, lastSeq: 10 }))).toBe(false);
    await drain();
    const anchor = attach('AuditAnchor', await chain.auditAnchor('customer'), provider);
    expect(await anchor.getFunction('rootOf')(1n)).toBe(`0x${root}`);
    // Mined, not yet confirmed: nothing crosses the wall while a reorganisation could still drop it.
    expect(await anchoredAnswers(1)).toEqual([]);
    expect(await anchorStatus(1)).toBe('queued');
    await anvil.mine(2);
    await worker.runOnce();
    const answers = await anchoredAnswers(1);
    expect(answers).toEqual([expect.objectContaining({ batchId: 1, merkleRoot: root })]);
    const receipt = await provider.getTransactionReceipt(answers[0]!.txHash);
    expect(receipt?.blockNumber).toBe(answers[0]!.blockNumber);
    expect(await anchorStatus(1)).toBe('anchored');
    expect((await indexer.events({ name: 'RootAnchored' })).map((e) => e.args.root)).toEqual([`0x${root}`]);
  }, 60_000);

  it('rebroadcasts an anchor a reorganisation dropped before its confirmation: anchored once, answered once, with the final block', async () => {
    const root = 'cd'.repeat(32);
    await db.transaction((tx) => chain.requestAnchor(tx, 'customer', { batchId: 2, merkleRoot: root, entryCount: 5, firstSeq: 11, lastSeq: 15 }));
    await drain();
    const mined = await anchorTx('customer:2');
    expect(mined.status).toBe('mined');
    expect(await anchoredAnswers(2)).toEqual([]);
    const anchor = attach('AuditAnchor', await chain.auditAnchor('customer'), provider);
    expect(await anchor.getFunction('rootOf')(2n)).toBe(`0x${root}`);

    // The chain reorganises to the same height without the anchor's block: the root is gone from the contract.
    const head = await provider.getBlockNumber();
    await anvil.rpc('anvil_reorg', [head - Number(mined.block_number) + 1, []]);
    expect(await provider.getTransactionReceipt(mined.tx_hash)).toBeNull();
    expect(await anchor.getFunction('rootOf')(2n)).toBe(`0x${'0'.repeat(64)}`);

    // The pipeline sees its block gone and rebroadcasts the same bytes (anvil mines them a moment
    // after it accepted them, so a cycle may end before their receipt); still nothing is announced.
    const again = await eventually(async () => {
      await worker.runOnce();
      const row = await anchorTx('customer:2');
      return row.status === 'mined' ? row : undefined;
    }, 30_000, 'the dropped anchor mined again');
    expect(again).toMatchObject({ id: mined.id, tx_hash: mined.tx_hash, status: 'mined' });
    expect(await anchor.getFunction('rootOf')(2n)).toBe(`0x${root}`);
    expect(await anchoredAnswers(2)).toEqual([]);

    // Confirmed on the new branch: one answer, naming the block the chain now has it in.
    await anvil.mine(2);
    await worker.runOnce();
    await worker.runOnce();
    const receipt = await provider.getTransactionReceipt(mined.tx_hash);
    expect(receipt?.status).toBe(1);
    expect(await anchoredAnswers(2)).toEqual([expect.objectContaining({ batchId: 2, merkleRoot: root, txHash: mined.tx_hash, blockNumber: receipt!.blockNumber })]);
    expect(await anchorStatus(2)).toBe('anchored');
    expect((await indexer.events({ name: 'RootAnchored' })).filter((e) => e.args.root === `0x${root}`)).toEqual([
      expect.objectContaining({ txHash: mined.tx_hash, blockNumber: String(receipt!.blockNumber) }),
    ]);
  }, 90_000);

  it('puts a confirmed anchor a deeper reorganisation dropped back on chain without answering twice', async () => {
    const confirmed = await anchorTx('customer:2');
    const anchor = attach('AuditAnchor', await chain.auditAnchor('customer'), provider);
    const head = await provider.getBlockNumber();
    expect(head - Number(confirmed.block_number)).toBeGreaterThanOrEqual(1); // past CHAIN_CONFIRMATIONS: answered already
    await anvil.rpc('anvil_reorg', [head - Number(confirmed.block_number) + 1, []]);
    expect(await anchor.getFunction('rootOf')(2n)).toBe(`0x${'0'.repeat(64)}`);

    await worker.runOnce();
    await anvil.mine(2);
    await worker.runOnce();
    // The root is back (same bytes), the batch stays anchored, and the wall carries no second answer.
    expect(await anchor.getFunction('rootOf')(2n)).toBe(`0x${'cd'.repeat(32)}`);
    expect((await provider.getTransactionReceipt(confirmed.tx_hash))?.status).toBe(1);
    expect(await anchorTx('customer:2')).toMatchObject({ id: confirmed.id, tx_hash: confirmed.tx_hash, status: 'mined' });
    expect(await anchorStatus(2)).toBe('anchored');
    expect(await anchoredAnswers(2)).toHaveLength(1);
  }, 90_000);
});

describe('chain status for operators', () => {
  it('shows the contracts, each instrument suite, the head against the indexed block and the anchored roots, to an operator only', async () => {
    const keys = await generateKeyPair('PS256', { extractable: true });
    const { keyId } = await app.get(MembersService).createOperator('op-chain-1', await exportJWK(keys.publicKey));
    const path = '/v1/operator/chain/status';
    const signed = await signRequest({ keyId, privateKey: keys.privateKey }, { method: 'GET', path, body: '' });
    const response = await request(app.getHttpServer()).get(path).set(signed);
    expect(response.status).toBe(200);
    const status = response.body;
    expect(status.rpcAvailable).toBe(true);
    expect(status.headBlock).toBe(await provider.getBlockNumber());
    expect(Number(status.indexedBlock)).toBeLessThanOrEqual(status.headBlock - status.confirmations);
    expect(status.contracts.map((c: { purpose: string }) => c.purpose)).toEqual(expect.arrayContaining(['audit_anchor:customer', 'claim_issuer']));
    expect(status.instruments).toEqual(expect.arrayContaining([expect.objectContaining({ instrumentId, tokenAddress: (await token()).token.target })]));
    const anchors = status.anchors.filter((a: { log: string }) => a.log === 'customer');
    expect(anchors.map((a: { batchId: string; status: string }) => [a.batchId, a.status])).toEqual([['2', 'anchored'], ['1', 'anchored']]);
    const anchored = anchors[1];
    expect(anchored).toMatchObject({ batchId: '1', merkleRoot: 'ab'.repeat(32), status: 'anchored', entryCount: 10 });
    expect((await provider.getTransactionReceipt(anchored.txHash))?.blockNumber).toBe(Number(anchored.blockNumber));
    expect(status.transactions.failed).toBe(0);
    // The queues the chain-outage runbook reads: the breaker closed, nothing waiting (the legs the
    // reorganisations above dropped were rebroadcast and are confirmed again).
    expect(status.queues).toMatchObject({ breaker: { state: 'closed' }, settlements: { queued: 0, batched: 0, failed: 0, settledUnconfirmed: 0 }, listingsQueued: 0, walletsPending: 0 });
    expect((await request(app.getHttpServer()).get(path)).status).toBe(401);
  }, 60_000);
});

describe('chain outage', () => {
  it('queues settlements durably while the chain is down and settles each exactly once when it returns', async () => {
    const before = { omnibus: await balanceOf(omnibusRef), maker: await balanceOf(makerRef) };
    await anvil.stop();
    const legs = Array.from({ length: 5 }, () => ({ settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: omnibusRef, quantity: '1' }));
    await db.transaction((tx) => chain.queueSettlements(tx, legs));
    // Cycles fail against the dead node until failures outweigh the successes of the breaker's
    // rolling window (10 s) and it opens; then they fail at once without touching the node.
    for (let i = 0; i < 1_000 && (await chain.queues()).breaker.state !== 'open'; i += 1) {
      await worker.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (let i = 0; i < 3; i += 1) await worker.runOnce();
    const queued = await db.transaction((tx) => tx.query<{ status: string }>(`SELECT status FROM chain_settlement WHERE settlement_id = ANY($1::uuid[])`, [legs.map((l) => l.settlementId)]));
    expect(queued.map((r) => r.status)).toEqual(['batched', 'batched', 'batched', 'batched', 'batched']);
    // What the operator sees (GET /v1/operator/chain/status): the breaker open, the legs waiting in their batch.
    const during = await chain.queues();
    expect(during.breaker.state).not.toBe('closed'); // open, or half open for its next trial call
    expect(during.breaker.openedCount).toBeGreaterThanOrEqual(1);
    expect(during.settlements).toMatchObject({ queued: 0, batched: 5, failed: 0 });
    expect(during.transactions.pending + during.transactions.signed).toBe(1);
    expect(during.settlements.oldestWaitingAt).not.toBeNull();

    await anvil.start();
    await new Promise((resolve) => setTimeout(resolve, 300)); // past the breaker's reset timeout
    await drain();
    const settled = await db.transaction((tx) => tx.query<{ status: string }>(`SELECT status FROM chain_settlement WHERE settlement_id = ANY($1::uuid[])`, [legs.map((l) => l.settlementId)]));
    expect(settled.map((r) => r.status)).toEqual(['settled', 'settled', 'settled', 'settled', 'settled']);
    expect((await chain.queues()).breaker.state).toBe('closed');
    await worker.runOnce();
    await worker.runOnce();
    expect(await balanceOf(omnibusRef)).toBe(before.omnibus + 5n * UNIT);
    expect(await balanceOf(makerRef)).toBe(before.maker - 5n * UNIT);
  }, 90_000);
});

describe('resolution on chain', () => {
  it('burns what each tenant omnibus wallet holds of a resolved event, in the resolution transaction', async () => {
    const event = await app.get(MarketService).list({ symbol: 'CHAIN-EVENT-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    await chain.listInstrument({ instrumentId: event.id, symbol: 'CHAIN-EVENT-YES', supply: '10', holderRef: omnibusRef });
    await drain();
    // The omnibus tenant's customers hold the 10 units: 6 + 4, per their allocations.
    for (const [accountRef, quantity] of [[randomUUID(), '6'], [randomUUID(), '4']] as const) {
      await db.transaction((tx) => tx.query(
        `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                                 average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'buy', $8, $8::numeric / 2, 0.5, 0, 0, ARRAY[$9::uuid], $10, clock_timestamp())`,
        [randomUUID(), randomUUID(), randomUUID(), randomUUID(), accountRef, omnibusRef, event.id, quantity, randomUUID(), '0'.repeat(64)],
      ));
    }
    const [row] = await db.transaction((tx) => tx.query<{ token_address: string }>(`SELECT token_address FROM chain_instrument WHERE instrument_id = $1`, [event.id]));
    const eventToken = attach('Token', row!.token_address, provider);
    expect(await eventToken.getFunction('balanceOf')(await walletOf(omnibusRef))).toBe(10n * UNIT);

    await app.get(MarketService).execute(event.id, { kind: 'close' });
    const resolved = await app.get(ResolutionService).resolve(randomUUID(), { instrumentId: event.id, outcome: 'yes' });
    expect(resolved).toMatchObject({ payouts: 2, totalAmount: '10' });
    expect(resolved.burnTxIds).toHaveLength(1);
    await drain();
    expect(await eventToken.getFunction('balanceOf')(await walletOf(omnibusRef))).toBe(0n);
    const [burn] = await db.transaction((tx) => tx.query<{ status: string; ref: string }>(`SELECT status, ref FROM chain_tx WHERE id = $1`, [resolved.burnTxIds[0]]));
    expect(burn).toEqual({ status: 'mined', ref: `resolution:${resolved.eventRef}:0` });
  }, 90_000);
});

describe('reconciliation against settled positions', () => {
  const reconcile = async (subject: string) => (await app.get(ReconciliationService).run()).findings.filter((f) => f.subject === subject);
  /** The chain indexed to its head (less the confirmations), so what settled is confirmed. */
  const indexed = async () => {
    await anvil.mine(2);
    await indexer.indexOnce();
  };
  const tenantRef = randomUUID();
  const fillRef = randomUUID();

  /** An omnibus fill of the tenant (with its order and its round's allocation), traded at `tradedAt`. */
  async function omnibusTrade(ref: string, quantity: string, tradedAt: Date): Promise<void> {
    const orderRef = randomUUID();
    const roundRef = randomUUID();
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO omnibus_order (order_ref, tenant_ref, instrument_id, side, limit_price, time_in_force, quantity, filled_quantity, venue, status, created_at)
         VALUES ($1, $2, $3, 'buy', 1, 'GTC', $4, $4, 'sandbox', 'working', $5)`,
        [orderRef, tenantRef, instrumentId, quantity, tradedAt],
      );
      await tx.query(
        `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
         VALUES ($1, $2, $3, $4, 'buy', 'sandbox', 0.5, $5, $6, $7)`,
        [ref, orderRef, tenantRef, instrumentId, quantity, roundRef, tradedAt],
      );
      await tx.query(
        `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                                 average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'buy', $8, $8::numeric / 2, 0.5, 0, 0, ARRAY[$9::uuid], $10, $11)`,
        [randomUUID(), roundRef, orderRef, randomUUID(), randomUUID(), tenantRef, instrumentId, quantity, ref, '0'.repeat(64), tradedAt],
      );
    });
  }

  it('a trade filled but not yet settled on chain is settlement lag, not a break', async () => {
    await chain.registerWallet(tenantRef, 'omnibus', SRI_LANKA);
    await drain();
    await omnibusTrade(fillRef, '4', new Date());
    await indexed();
    // The allocations say the tenant holds 4; the chain holds 0 until the settlement cycle moves them.
    expect(await reconcile(`chain:${instrumentId}:${tenantRef}`)).toEqual([]);
    expect(await reconcile(`omnibus_fill:${fillRef}`)).toEqual([]); // within its settlement window
  }, 60_000);

  it('settled and confirmed on chain, the wallet holds its settled position: no break', async () => {
    await db.transaction((tx) => chain.queueSettlements(tx, [{ settlementId: randomUUID(), instrumentId, fromRef: makerRef, toRef: tenantRef, quantity: '4', batchRef: randomUUID() }]));
    await drain();
    await indexed();
    expect(await balanceOf(tenantRef)).toBe(4n * UNIT);
    expect(await reconcile(`chain:${instrumentId}:${tenantRef}`)).toEqual([]);
  }, 60_000);

  it('a transfer outside settlement, or a settled leg whose transfer the chain does not have, is a break', async () => {
    // An agent moves a unit out of the omnibus wallet behind settlement's back.
    const { token: bond } = await token();
    const agent = attach('Token', String(bond.target), new Wallet(ANVIL_OPERATOR_KEY, provider));
    await (await agent.getFunction('forcedTransfer')(await walletOf(tenantRef), await walletOf(makerRef), UNIT)).wait();
    await indexed();
    expect(await reconcile(`chain:${instrumentId}:${tenantRef}`)).toEqual([{ kind: 'chain_balance_mismatch', subject: `chain:${instrumentId}:${tenantRef}`, expected: '4', actual: '3' }]);

    // Our records say a leg into another omnibus wallet settled and was confirmed: the chain has no such transfer.
    const missingRef = randomUUID();
    await chain.registerWallet(missingRef, 'omnibus', SRI_LANKA);
    await drain();
    await indexed();
    const [head] = await db.transaction((tx) => tx.query<{ n: string }>(`SELECT max(block_number)::text AS n FROM chain_block`));
    await db.transaction((tx) => tx.query(
      `INSERT INTO chain_settlement (settlement_id, instrument_id, from_ref, to_ref, quantity, status, queued_at, settled_at, confirmed_block)
       VALUES ($1, $2, $3, $4, 2, 'settled', clock_timestamp(), clock_timestamp(), $5)`,
      [randomUUID(), instrumentId, makerRef, missingRef, head!.n],
    ));
    expect(await reconcile(`chain:${instrumentId}:${missingRef}`)).toEqual([{ kind: 'chain_balance_mismatch', subject: `chain:${instrumentId}:${missingRef}`, expected: '2', actual: '0' }]);
  }, 90_000);

  it('reads no balance of a suite whose deployment is not yet mined at or below the indexed block (its token has no code there), and still reads the others', async () => {
    await indexed();
    const atIndexed = await chain.omnibusBalances(10_000);
    // The suite is queued and sent now, so its steps land (if they are mined yet) above the indexed block.
    const deploying = randomUUID();
    await chain.ensureInstrument(deploying, 'LK-DEPLOYING');
    const [indexedBlock] = await db.transaction((tx) => tx.query<{ n: string }>(`SELECT max(block_number)::text AS n FROM chain_block`));
    const [unconfirmed] = await db.transaction((tx) => tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chain_tx WHERE operation = 'deploy' AND ref = $1 AND (status <> 'mined' OR block_number > $2)`, [deploying, indexedBlock!.n],
    ));
    expect(unconfirmed!.n).toBeGreaterThan(0);
    const during = await chain.omnibusBalances(10_000);
    expect(during).toEqual(atIndexed);
    // The run reads the other suites' balances as before: the forced transfer above is still a break.
    expect(await reconcile(`chain:${instrumentId}:${tenantRef}`)).toEqual([{ kind: 'chain_balance_mismatch', subject: `chain:${instrumentId}:${tenantRef}`, expected: '4', actual: '3' }]);
    // Once its deployment is mined and indexed, its balances are read (nothing held, nothing expected).
    await drain();
    await indexed();
    const held = (await chain.omnibusBalances(10_000))?.balances.filter((b) => b.instrumentId === deploying) ?? [];
    expect(held.length).toBeGreaterThan(0);
    expect(new Set(held.map((b) => b.quantity))).toEqual(new Set(['0']));
    expect(await reconcile(`chain:${deploying}:${tenantRef}`)).toEqual([]);
  }, 90_000);

  it('a trade still unsettled past its settlement window is a settlement_overdue break with its age, until its batch is settled on chain', async () => {
    const oldRef = randomUUID();
    const tradedAt = new Date(Date.now() - 3 * 86_400_000);
    await omnibusTrade(oldRef, '1.5', tradedAt);
    expect(await reconcile(`omnibus_fill:${oldRef}`)).toEqual([
      { kind: 'settlement_overdue', subject: `omnibus_fill:${oldRef}`, expected: '0', actual: '1.5', subjectAt: tradedAt.toISOString() },
    ]);
    const [listed] = (await app.get(ReconciliationService).breaks({ status: 'open', limit: 500 })).filter((b) => b.subject === `omnibus_fill:${oldRef}`);
    expect(listed).toMatchObject({ kind: 'settlement_overdue', amount: '1.5', subjectAt: tradedAt.toISOString() });
    expect(listed!.subjectAgeMs).toBeGreaterThanOrEqual(3 * 86_400_000);

    // Its period is netted and approved by two people: the approval queues its leg (house → omnibus).
    // Until that leg is settled and confirmed on chain the trade stays overdue.
    await db.transaction((tx) => chain.mint(tx, instrumentId, HOUSE_WALLET_REF, '1.5', `house-stock-${oldRef}`));
    await drain(); // the house holds the units before its leg is signed
    const settlement = app.get(SettlementService);
    const approvers = [];
    for (const handle of ['op-overdue-1', 'op-overdue-2']) {
      const keys = await generateKeyPair('PS256', { extractable: true });
      const { operatorId, keyId } = await app.get(MembersService).createOperator(handle, await exportJWK(keys.publicKey));
      await settlement.registerApprover(operatorId, 'system:chain-test');
      approvers.push({ operatorId, keyId, privateKey: keys.privateKey });
    }
    const batch = await settlement.createBatch(new Date(tradedAt.getTime() - 3_600_000).toISOString(), new Date(tradedAt.getTime() + 3_600_000).toISOString(), approvers[0]!.operatorId);
    await settlement.submit(batch.batchId, approvers[0]!.operatorId);
    for (const approver of approvers) {
      const jws = await new CompactSign(new TextEncoder().encode(approvalPayload(batch.batchId, batch.contentHash)))
        .setProtectedHeader({ alg: 'PS256', kid: approver.keyId }).sign(approver.privateKey);
      await settlement.approve(batch.batchId, approver.operatorId, jws);
    }
    expect(await reconcile(`omnibus_fill:${oldRef}`)).toHaveLength(1);
    await drain();
    await indexed();
    expect(await reconcile(`omnibus_fill:${oldRef}`)).toEqual([]);
    // The omnibus wallet now holds what settlement confirmed: 4 − 1 (the forced transfer) on chain, 5.5 settled.
    expect(await reconcile(`chain:${instrumentId}:${tenantRef}`)).toEqual([{ kind: 'chain_balance_mismatch', subject: `chain:${instrumentId}:${tenantRef}`, expected: '5.5', actual: '4.5' }]);
  }, 120_000);

  it('a resolved instrument is expected to hold nothing; units minted or burned outside settlement are breaks', async () => {
    await indexed();
    const { findings } = await app.get(ReconciliationService).run();
    const omnibus = findings.filter((f) => f.kind === 'chain_balance_mismatch' && f.subject.endsWith(`:${omnibusRef}`));
    // The bond: 10.500001 + 5 settled into it, 0.5 burned by hand. LKBOND-B: 3 minted by hand. The resolved event: burned, nothing expected.
    expect(omnibus.map((f) => [f.subject.startsWith(`chain:${instrumentId}:`), f.expected, f.actual])).toEqual(
      expect.arrayContaining([[true, '15.500001', '15.000001'], [false, '0', '3']]),
    );
    expect(omnibus).toHaveLength(2);
  }, 60_000);
});
