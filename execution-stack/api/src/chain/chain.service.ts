// What the execution stack does on chain: one ERC-3643 suite per instrument (deployed once,
// recorded, never redeployed), custodial omnibus and member wallets registered under opaque
// references (the claim carries only a hash of the reference), mints, burns, freezes, pauses,
// settlement legs queued durably and sent as one atomic batch transfer per seller and instrument
// each cycle, the pre-trade compliance simulation, and audit-root anchoring (announced only once
// the indexer has confirmed the anchor, so what the log's owner records is final).
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Interface, formatUnits, getAddress, hexlify, keccak256, parseUnits, randomBytes, toUtf8Bytes, type Contract } from 'ethers';
import { artifact, attach, type SuiteOptions } from '@bulwark/solidity';
import { assert, decimal, type MessageBody } from '@bulwark/shared-contracts';
import { enqueueOutbound, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { CHAIN_TOKEN_DECIMALS } from './chain-config.js';
import { ChainRpc, ChainUnavailableError } from './chain-rpc.js';
import { ChainTxService, type TxOutcome } from './chain-tx.service.js';
import { CREATE2_PROXY, auditAnchorPlan, claimIssuerPlan, identityPlan, suitePlan, type PlannedCall } from './deployment-plan.js';
import type { ChainQueues } from './chain-status.views.js';

export type WalletKind = 'omnibus' | 'member' | 'house';
export type AuditLogName = 'customer' | 'execution';

export interface SettlementLeg {
  readonly settlementId: string;
  readonly instrumentId: string;
  readonly fromRef: string;
  readonly toRef: string;
  /** Decimal string in instrument units. */
  readonly quantity: string;
  /** The settlement batch it settles, if any (an opaque reference the module only groups by). */
  readonly batchRef?: string;
}

/** What an omnibus wallet holds of an instrument on chain, read at one block. */
export interface ChainHolding {
  readonly instrumentId: string;
  readonly walletRef: string;
  /** Decimal string in instrument units. */
  readonly quantity: string;
}

export const PRE_TRADE_REFUSALS = [
  'instrument_not_on_chain', 'unknown_wallet', 'paused', 'sender_frozen', 'receiver_frozen', 'receiver_not_verified',
  'insufficient_unfrozen_balance', 'not_compliant',
] as const;
export type PreTradeRefusal = (typeof PRE_TRADE_REFUSALS)[number];

export interface AnchorRequest {
  readonly batchId: number;
  readonly merkleRoot: string;
  readonly entryCount: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** A root the chain now holds: what the log's owner records about its batch. */
export interface AnchoredRoot {
  readonly batchId: number;
  readonly merkleRoot: string;
  readonly chainId: number;
  readonly contractAddress: string;
  readonly txHash: string;
  readonly blockNumber: number;
}

/** Legs taken into batches per settlement cycle. */
export const SETTLEMENT_LEGS_PER_CYCLE_MAX = 5_000;
/** Anchors given their transaction per cycle. */
export const ANCHORS_PER_CYCLE_MAX = 100;
/** Wallets registered into a newly deployed instrument in one pass. */
export const WALLETS_PER_INSTRUMENT_MAX = 10_000;
/** Wallets one registration transaction registers in an identity registry. */
export const REGISTRATIONS_PER_TX_MAX = 100;
/** Listings whose suite one cycle deploys (a deployment is a dozen transactions). */
export const LISTINGS_PER_CYCLE_MAX = 1;
/** Wallets given their Identity contract per cycle. */
export const WALLETS_PER_CYCLE_MAX = 20;
/** Deployment attempts of a listing before it stays queued for a person to look at. */
export const LISTING_ATTEMPTS_MAX = 20;
/** How much of a failed deployment's error a listing keeps. */
const LISTING_ERROR_CHARS_MAX = 1_000;
/** The jurisdiction recorded for the platform's own house wallet (ISO 3166-1 numeric; 0 = none). */
const HOUSE_COUNTRY = 0;
/**
 * The platform's own wallet: the counterparty the pre-trade check simulates against, and the
 * settlement wallet of every venue outside the platform (it holds the listing supply they deliver
 * from and takes what the omnibus sells there).
 */
export const HOUSE_WALLET_REF = '00000000-0000-4000-8000-000000000000';

const tokenInterface = new Interface(artifact('Token').abi);
const anchorInterface = new Interface(artifact('AuditAnchor').abi);
const registryInterface = new Interface(artifact('IdentityRegistry').abi);

interface InstrumentRow {
  instrument_id: string;
  token_address: string;
  contracts: { identityRegistry: string; compliance: string };
  decimals: number;
  resolved_at: Date | null;
}

interface WalletRow {
  wallet_ref: string;
  kind: WalletKind;
  key_index: number;
  wallet_address: string;
  identity_contract: string | null;
  country: number;
}

/** The earliest of some instants, as ISO 8601, or null when there is none. */
function earliest(...instants: (Date | null | undefined)[]): string | null {
  const times = instants.filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
  return times.length === 0 ? null : new Date(Math.min(...times)).toISOString();
}

/** Instrument units (decimal string) to token base units; refuses more decimals than the token has. */
export function toBaseUnits(quantity: string, decimals: number = CHAIN_TOKEN_DECIMALS): bigint {
  assert(/^\d+(\.\d+)?$/.test(quantity), 'a quantity is a non-negative decimal string');
  const units = parseUnits(quantity.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''), decimals);
  assert(units >= 0n, 'base units are non-negative');
  return units;
}

@Injectable()
export class ChainService implements OnModuleInit {
  private readonly logger = new Logger(ChainService.name);
  private readonly anchoredHandlers = new Map<AuditLogName, (tx: SqlTx, anchored: AnchoredRoot) => Promise<void>>();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(ChainRpc) private readonly rpc: ChainRpc,
    @Inject(ChainTxService) private readonly txs: ChainTxService,
    @Inject(WallService) private readonly wall: WallService,
  ) {}

  onModuleInit(): void {
    // Only the root crosses the wall; the anchoring transaction is sent by the next cycle.
    this.wall.registerHandlers({
      'audit.anchor-request.v1': async (tx, messages) => {
        for (const { body } of messages) await this.requestAnchor(tx, 'customer', body);
      },
    });
    this.txs.onComplete('settlement', (tx, outcome) => this.onSettlementMined(tx, outcome));
    this.txs.onComplete('settlement_burn', (tx, outcome) => this.onSettlementMined(tx, outcome));
    // A reorganisation dropped a mined batch: its legs wait for the same batch to be mined again.
    this.txs.onReopen('settlement', (tx, reopened) => this.onSettlementDropped(tx, reopened.id));
    this.txs.onReopen('settlement_burn', (tx, reopened) => this.onSettlementDropped(tx, reopened.id));
    // An anchor is final only once the indexer confirmed its RootAnchored event (confirmAnchors):
    // until then a reorganisation that drops it only puts it back to be rebroadcast.
    this.txs.onComplete('anchor', (tx, outcome) => this.onAnchorSent(tx, outcome));
    this.txs.onReopen('anchor', (tx, reopened) => this.onAnchorDropped(tx, reopened.id));
  }

  // ------------------------------------------------------------------ platform contracts

  /**
   * A platform contract by name, queued the first time it is needed: its creation (CREATE2, at an
   * address known in advance) and wiring are pipeline transactions, recorded with the address in
   * one database transaction, so a reorganisation that drops them gets them rebroadcast, or
   * re-signed at the same address once their nonce was taken, like an instrument's suite. What
   * uses the contract is queued after it, so the pipeline sends it once the contract is there.
   */
  private async platformContract(name: string, plan: (salt: string) => { address: string; steps: PlannedCall[] }): Promise<string> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`chain:contract:${name}`]);
      const [row] = await tx.query<{ contract_address: string }>(`SELECT contract_address FROM chain_contract WHERE purpose = $1`, [name]);
      if (row) return row.contract_address;
      await this.requireCreate2Proxy();
      const { address, steps } = plan(hexlify(randomBytes(32)));
      await this.enqueueSteps(tx, 'deploy', name, steps);
      await tx.query(`INSERT INTO chain_contract (purpose, chain_id, contract_address, deployed_at) VALUES ($1, $2, $3, clock_timestamp())`, [
        name, this.rpc.config.chainId, address,
      ]);
      this.logger.log({ event: 'chain.contract.queued', name, address, steps: steps.length }, 'platform contract deployment queued');
      return address;
    });
  }

  claimIssuer(): Promise<string> {
    return this.platformContract('claim_issuer', (salt) => claimIssuerPlan({ owner: this.rpc.operator.address, salt }));
  }

  /** The AuditAnchor contract of one audit log (the operator anchors). */
  auditAnchor(log: AuditLogName): Promise<string> {
    return this.platformContract(`audit_anchor:${log}`, (salt) => auditAnchorPlan({ owner: this.rpc.operator.address, salt }));
  }

  // ------------------------------------------------------------------ instruments

  /**
   * Queues the instrument's suite unless it is recorded already (a restart deploys nothing
   * again): every deployment and wiring step is a pipeline transaction, recorded with the suite's
   * addresses (CREATE2, known in advance) in one database transaction, then every known wallet's
   * registration after them. A reorganisation that drops a step gets it rebroadcast, in order.
   */
  async ensureInstrument(instrumentId: string, symbol: string, compliance: SuiteOptions['compliance'] = {}): Promise<string> {
    const issuer = await this.claimIssuer();
    await this.requireCreate2Proxy();
    const tokenAddress = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`chain:instrument:${instrumentId}`]);
      const [row] = await tx.query<{ token_address: string }>(`SELECT token_address FROM chain_instrument WHERE instrument_id = $1`, [instrumentId]);
      if (row) return row.token_address;
      const suite = suitePlan({
        owner: this.rpc.operator.address, issuer, name: `Bulwark ${symbol}`, symbol, decimals: CHAIN_TOKEN_DECIMALS, compliance, salt: hexlify(randomBytes(32)),
      });
      await this.enqueueSteps(tx, 'deploy', instrumentId, suite.steps);
      await tx.query(
        `INSERT INTO chain_instrument (instrument_id, chain_id, token_address, contracts, decimals, deployed_at)
         VALUES ($1, $2, $3, $4, $5, clock_timestamp())`,
        [instrumentId, this.rpc.config.chainId, suite.addresses.token, JSON.stringify(suite.addresses), CHAIN_TOKEN_DECIMALS],
      );
      this.logger.log({ event: 'chain.instrument.queued', instrumentId, token: suite.addresses.token, steps: suite.steps.length }, 'suite deployment queued');
      return suite.addresses.token;
    });
    await this.registerKnownWallets(instrumentId);
    await this.txs.process();
    return tokenAddress;
  }

  /** Queues planned calls of the operator in order, in the caller's transaction. */
  private async enqueueSteps(tx: SqlTx, operation: string, ref: string, steps: readonly PlannedCall[]): Promise<void> {
    for (const step of steps) await this.txs.enqueue(tx, { operation, ref, signerKeyIndex: null, contractAddress: step.to, callData: step.data });
  }

  /**
   * Deployments go through the CREATE2 proxy; a call to an address without code would be mined
   * doing nothing, so its absence stops the deployment with a clear error instead.
   */
  private async requireCreate2Proxy(): Promise<void> {
    const code = await this.rpc.call(() => this.rpc.provider.getCode(CREATE2_PROXY));
    if (code === '0x') throw new Error(`the deterministic deployment proxy ${CREATE2_PROXY} is not on chain ${this.rpc.config.chainId} (docs/operations.md)`);
  }

  /** Deploys the suite and mints the listing's initial supply to a registered wallet. */
  async listInstrument(input: { instrumentId: string; symbol: string; supply: string; holderRef: string }): Promise<string> {
    const token = await this.ensureInstrument(input.instrumentId, input.symbol);
    await this.db.transaction((tx) => this.mint(tx, input.instrumentId, input.holderRef, input.supply, `listing:${input.instrumentId}`));
    return token;
  }

  /**
   * Queues the on-chain listing of instruments in the caller's transaction (the listing's own):
   * the worker deploys each suite, registers the wallets and mints the listing supply. Until
   * then the pre-trade check answers instrument_not_on_chain, so nothing trades that could not
   * settle. Idempotent: an instrument queued or deployed before is left alone.
   */
  async requestListings(tx: SqlTx, instruments: readonly { instrumentId: string; symbol: string }[]): Promise<number> {
    if (instruments.length === 0) return 0;
    const inserted = await tx.query(
      `INSERT INTO chain_listing (instrument_id, symbol, status, requested_at)
       SELECT i.instrument_id, i.symbol, CASE WHEN EXISTS (SELECT 1 FROM chain_instrument c WHERE c.instrument_id = i.instrument_id) THEN 'deployed' ELSE 'queued' END,
              clock_timestamp()
         FROM unnest($1::uuid[], $2::text[]) AS i(instrument_id, symbol)
       ON CONFLICT (instrument_id) DO NOTHING RETURNING instrument_id`,
      [instruments.map((i) => i.instrumentId), instruments.map((i) => i.symbol)],
    );
    return inserted.length;
  }

  /**
   * Queues the deployment of the queued listings, a few per cycle: the suite's steps (and every
   * known wallet's registration), then, in one transaction with the listing marked deployed, the
   * mint of the listing supply to the house wallet, which the pipeline sends after them. A crash
   * in between deploys nothing twice (the suite is recorded with its steps) and mints once.
   */
  async deployListings(): Promise<number> {
    const queued = await this.db.transaction((tx) =>
      tx.query<{ instrument_id: string; symbol: string }>(
        `SELECT instrument_id, symbol FROM chain_listing WHERE status = 'queued' AND attempts < $1 ORDER BY requested_at, instrument_id LIMIT $2`,
        [LISTING_ATTEMPTS_MAX, LISTINGS_PER_CYCLE_MAX],
      ),
    );
    for (const listing of queued) {
      try {
        await this.ensureInstrument(listing.instrument_id, listing.symbol);
      } catch (error) {
        if (error instanceof ChainUnavailableError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        await this.db.transaction((tx) =>
          tx.query(`UPDATE chain_listing SET attempts = attempts + 1, last_error = $2 WHERE instrument_id = $1`, [
            listing.instrument_id, message.slice(0, LISTING_ERROR_CHARS_MAX),
          ]),
        );
        this.logger.error({ event: 'chain.listing.failed', instrumentId: listing.instrument_id, error: message }, 'listing deployment failed');
        continue;
      }
      const registered = await this.db.transaction((tx) =>
        tx.query(`SELECT 1 FROM chain_registration WHERE wallet_ref = $1 AND instrument_id = $2`, [HOUSE_WALLET_REF, listing.instrument_id]),
      );
      if (registered.length === 0) continue; // the house wallet still waits for its identity: mint once it can receive
      // The mint is queued after the suite's steps and the house wallet's registration: the pipeline sends it once they are mined.
      await this.db.transaction(async (tx) => {
        const [claimed] = await tx.query(
          `UPDATE chain_listing SET status = 'deployed', deployed_at = clock_timestamp() WHERE instrument_id = $1 AND status = 'queued' RETURNING 1`,
          [listing.instrument_id],
        );
        if (!claimed) return; // deployed by a concurrent pass
        await this.mint(tx, listing.instrument_id, HOUSE_WALLET_REF, this.rpc.config.listingSupplyUnits, `listing:${listing.instrument_id}`);
      });
      this.logger.log({ event: 'chain.listing.deployed', instrumentId: listing.instrument_id, symbol: listing.symbol }, 'listed instrument deployed on chain');
    }
    return queued.length;
  }

  /**
   * Whether the instrument's listing on chain is done (every step of its suite mined), queued
   * (or its steps still on their way), or was never requested.
   */
  async listingStatus(instrumentId: string): Promise<'deployed' | 'queued' | 'none'> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ status: 'deployed' | 'queued' }>(`SELECT status FROM chain_listing WHERE instrument_id = $1`, [instrumentId]);
      if (row?.status === 'queued') return 'queued';
      if (await this.deployedInstrument(tx, instrumentId)) return 'deployed';
      return row || (await this.instrument(tx, instrumentId)) ? 'queued' : 'none';
    });
  }

  private async instrument(tx: SqlTx, instrumentId: string): Promise<InstrumentRow | undefined> {
    const [row] = await tx.query<InstrumentRow>(`SELECT instrument_id, token_address, contracts, decimals, resolved_at FROM chain_instrument WHERE instrument_id = $1`, [
      instrumentId,
    ]);
    return row;
  }

  /** The instrument when every step of its suite is mined (a reorganisation that dropped one makes it wait again). */
  private async deployedInstrument(tx: SqlTx, instrumentId: string): Promise<InstrumentRow | undefined> {
    const [row] = await tx.query<InstrumentRow>(
      `SELECT instrument_id, token_address, contracts, decimals, resolved_at FROM chain_instrument
        WHERE instrument_id = $1
          AND NOT EXISTS (SELECT 1 FROM chain_tx t WHERE t.status IN ('pending', 'signed', 'failed') AND t.operation = 'deploy' AND t.ref = $1::text)`,
      [instrumentId],
    );
    return row;
  }

  private async requireInstrument(tx: SqlTx, instrumentId: string): Promise<InstrumentRow> {
    const row = await this.instrument(tx, instrumentId);
    assert(row, `instrument ${instrumentId} is deployed on chain`);
    return row;
  }

  // ------------------------------------------------------------------ wallets

  /**
   * Records a custodial wallet under an opaque reference in the caller's transaction: its key
   * index and address (derived, so known at once) and its gas funding, queued. The worker then
   * deploys its Identity contract and registers it in every instrument (completeWallets).
   * Idempotent: a known reference returns its wallet.
   */
  async requestWallet(tx: SqlTx, walletRef: string, kind: WalletKind, country: number): Promise<string> {
    assert(Number.isInteger(country) && country >= 0 && country <= 999, 'country is ISO 3166-1 numeric');
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('chain:wallets'))`);
    const [known] = await tx.query<{ wallet_address: string }>(`SELECT wallet_address FROM chain_wallet WHERE wallet_ref = $1`, [walletRef]);
    if (known) return known.wallet_address;
    const [next] = await tx.query<{ key_index: number }>(`SELECT COALESCE(max(key_index) + 1, 0)::int AS key_index FROM chain_wallet`);
    const keyIndex = next?.key_index ?? 0;
    const wallet = this.rpc.wallet(keyIndex);
    await tx.query(
      `INSERT INTO chain_wallet (wallet_ref, kind, key_index, wallet_address, identity_contract, country, created_at)
       VALUES ($1, $2, $3, $4, NULL, $5, clock_timestamp())`,
      [walletRef, kind, keyIndex, wallet.address, country],
    );
    // Gas money, so the wallet can sign its own settlement batches (the house's deliver for outside venues).
    const valueWei = this.rpc.config.walletFundingWei;
    await this.txs.enqueue(tx, { operation: 'fund', ref: walletRef, signerKeyIndex: null, contractAddress: wallet.address, callData: '0x', valueWei });
    return wallet.address;
  }

  /**
   * Registers a custodial wallet under an opaque reference now: an Identity contract carrying a
   * KYC claim whose data is keccak256(reference) — nothing personal — in every instrument's
   * registry. Idempotent: a known reference returns its wallet.
   */
  async registerWallet(walletRef: string, kind: WalletKind, country: number): Promise<string> {
    const address = await this.db.transaction((tx) => this.requestWallet(tx, walletRef, kind, country));
    await this.completeWallets([walletRef]);
    return address;
  }

  /**
   * Gives requested wallets their Identity contract (all waiting ones, or those of `refs`), then
   * registers every complete wallet in every instrument it is not registered in yet.
   */
  async completeWallets(refs?: readonly string[]): Promise<number> {
    const waiting = await this.db.transaction((tx) =>
      tx.query<{ wallet_ref: string }>(
        `SELECT wallet_ref FROM chain_wallet WHERE identity_contract IS NULL AND ($1::uuid[] IS NULL OR wallet_ref = ANY($1::uuid[])) ORDER BY key_index LIMIT $2`,
        [refs ?? null, WALLETS_PER_CYCLE_MAX],
      ),
    );
    if (waiting.length > 0) {
      const issuer = await this.claimIssuer();
      await this.requireCreate2Proxy();
      for (const { wallet_ref } of waiting) {
        await this.db.transaction(async (tx) => {
          await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`chain:wallet:${wallet_ref}`]);
          const [row] = await tx.query<{ identity_contract: string | null }>(`SELECT identity_contract FROM chain_wallet WHERE wallet_ref = $1`, [wallet_ref]);
          if (!row || row.identity_contract !== null) return; // completed by a concurrent pass
          const identity = await identityPlan({
            owner: this.rpc.operator, issuer, salt: hexlify(randomBytes(32)),
            claimData: keccak256(toUtf8Bytes(wallet_ref)), // opaque: the reference itself never goes on chain
          });
          // Its registrations are queued after these steps, so the pipeline sends them once the Identity holds its claim.
          await this.enqueueSteps(tx, 'identity', wallet_ref, identity.steps);
          await tx.query(`UPDATE chain_wallet SET identity_contract = $2 WHERE wallet_ref = $1`, [wallet_ref, identity.address]);
        });
      }
    }
    const unregistered = await this.db.transaction((tx) =>
      tx.query<{ instrument_id: string }>(
        `SELECT i.instrument_id FROM chain_instrument i
          WHERE EXISTS (SELECT 1 FROM chain_wallet w WHERE w.identity_contract IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM chain_registration r WHERE r.wallet_ref = w.wallet_ref AND r.instrument_id = i.instrument_id))
          ORDER BY i.deployed_at`,
      ),
    );
    for (const { instrument_id } of unregistered) await this.registerKnownWallets(instrument_id);
    if (waiting.length > 0) await this.txs.process();
    return waiting.length;
  }

  /**
   * Requests the wallets the configuration names (the house wallet, the tenants' omnibus wallets)
   * in one transaction; the worker completes them.
   */
  async requestConfiguredWallets(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requestWallet(tx, HOUSE_WALLET_REF, 'house', HOUSE_COUNTRY);
      for (const { tenantRef, country } of this.rpc.config.omnibusWallets) await this.requestWallet(tx, tenantRef, 'omnibus', country);
    });
  }

  /** The platform's own wallet: the counterparty the pre-trade check simulates against. */
  houseWallet(): Promise<string> {
    return this.registerWallet(HOUSE_WALLET_REF, 'house', HOUSE_COUNTRY);
  }

  /**
   * Registers in the instrument's identity registry every wallet not registered there yet: the
   * registrations are queued in the pipeline (recorded with them, so none is queued twice) and
   * pushed at once. A reorganisation that drops one gets it rebroadcast like any pipeline
   * transaction, and the operator's transactions keep their order: a mint queued after a
   * registration is sent after it.
   */
  private async registerKnownWallets(instrumentId: string): Promise<void> {
    const queued = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`chain:registrations:${instrumentId}`]);
      const instrument = await this.requireInstrument(tx, instrumentId);
      const missing = await tx.query<WalletRow>(
        `SELECT w.* FROM chain_wallet w
          WHERE w.identity_contract IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain_registration r WHERE r.wallet_ref = w.wallet_ref AND r.instrument_id = $1)
          ORDER BY w.key_index LIMIT $2`,
        [instrumentId, WALLETS_PER_INSTRUMENT_MAX],
      );
      for (let from = 0; from < missing.length; from += REGISTRATIONS_PER_TX_MAX) {
        const chunk = missing.slice(from, from + REGISTRATIONS_PER_TX_MAX);
        await this.txs.enqueue(tx, {
          operation: 'register', ref: instrumentId, signerKeyIndex: null, contractAddress: instrument.contracts.identityRegistry,
          callData: registryInterface.encodeFunctionData('batchRegisterIdentity', [
            chunk.map((w) => w.wallet_address), chunk.map((w) => w.identity_contract), chunk.map((w) => w.country),
          ]),
        });
      }
      if (missing.length > 0) {
        await tx.query(
          `INSERT INTO chain_registration (wallet_ref, instrument_id, registered_at) SELECT unnest($1::uuid[]), $2, clock_timestamp()`,
          [missing.map((w) => w.wallet_ref), instrumentId],
        );
      }
      return missing.length;
    });
    if (queued > 0) await this.txs.process();
  }

  /** Which of these references have a custodial wallet (a burn or a balance needs one). */
  async registeredWallets(tx: SqlTx, refs: readonly string[]): Promise<Set<string>> {
    return new Set((await this.walletsByRef(tx, refs)).keys());
  }

  private async walletsByRef(tx: SqlTx, refs: readonly string[]): Promise<Map<string, WalletRow>> {
    const rows = await tx.query<WalletRow>(`SELECT * FROM chain_wallet WHERE wallet_ref = ANY($1::uuid[])`, [refs]);
    return new Map(rows.map((row) => [row.wallet_ref, row]));
  }

  private async requireWallet(tx: SqlTx, ref: string): Promise<WalletRow> {
    const wallet = (await this.walletsByRef(tx, [ref])).get(ref);
    assert(wallet, `wallet ${ref} is registered`);
    return wallet;
  }

  // ------------------------------------------------------------------ agent operations (queued)

  async mint(tx: SqlTx, instrumentId: string, walletRef: string, quantity: string, ref: string): Promise<string> {
    const instrument = await this.requireInstrument(tx, instrumentId);
    const wallet = await this.requireWallet(tx, walletRef);
    const data = tokenInterface.encodeFunctionData('mint', [wallet.wallet_address, toBaseUnits(quantity, instrument.decimals)]);
    return this.txs.enqueue(tx, { operation: 'mint', ref, signerKeyIndex: null, contractAddress: instrument.token_address, callData: data });
  }

  /**
   * Marks an instrument resolved (in the resolution's transaction) and returns what of `holdings`
   * to burn now: each capped at what the wallet holds on chain (read live), since units still to
   * be delivered by an unsettled batch are burned from their deliverer when that leg settles.
   * While the chain does not answer, the holdings are burned as given.
   */
  async resolve(tx: SqlTx, instrumentId: string, holdings: readonly { walletRef: string; quantity: string }[]): Promise<{ walletRef: string; quantity: string }[]> {
    const instrument = await this.requireInstrument(tx, instrumentId);
    await tx.query(`UPDATE chain_instrument SET resolved_at = coalesce(resolved_at, clock_timestamp()) WHERE instrument_id = $1`, [instrumentId]);
    const wallets = await this.walletsByRef(tx, holdings.map((h) => h.walletRef));
    const token = attach('Token', instrument.token_address, this.rpc.provider);
    const capped: { walletRef: string; quantity: string }[] = [];
    for (const holding of holdings) {
      const wallet = wallets.get(holding.walletRef);
      assert(wallet, `wallet ${holding.walletRef} is registered`);
      let units = toBaseUnits(holding.quantity, instrument.decimals);
      try {
        const held = (await this.rpc.call(() => token.getFunction('balanceOf').staticCall(wallet.wallet_address))) as bigint;
        if (held < units) units = held;
      } catch (error) {
        if (!(error instanceof ChainUnavailableError)) throw error;
      }
      if (units > 0n) capped.push({ walletRef: holding.walletRef, quantity: decimal(formatUnits(units, instrument.decimals)).toString() });
    }
    return capped;
  }

  /** Burns holdings on resolution: one atomic batch. */
  async burn(tx: SqlTx, instrumentId: string, holdings: readonly { walletRef: string; quantity: string }[], ref: string): Promise<string> {
    assert(holdings.length > 0 && holdings.length <= 100, 'a burn batch holds 1 to 100 holdings');
    const instrument = await this.requireInstrument(tx, instrumentId);
    const wallets = await this.walletsByRef(tx, holdings.map((h) => h.walletRef));
    const addresses = holdings.map((h) => {
      const wallet = wallets.get(h.walletRef);
      assert(wallet, `wallet ${h.walletRef} is registered`);
      return wallet.wallet_address;
    });
    const data = tokenInterface.encodeFunctionData('batchBurn', [addresses, holdings.map((h) => toBaseUnits(h.quantity, instrument.decimals))]);
    return this.txs.enqueue(tx, { operation: 'burn', ref, signerKeyIndex: null, contractAddress: instrument.token_address, callData: data });
  }

  async freeze(tx: SqlTx, instrumentId: string, walletRef: string, frozen: boolean, ref: string): Promise<string> {
    const instrument = await this.requireInstrument(tx, instrumentId);
    const wallet = await this.requireWallet(tx, walletRef);
    const data = tokenInterface.encodeFunctionData('setAddressFrozen', [wallet.wallet_address, frozen]);
    return this.txs.enqueue(tx, { operation: 'freeze', ref, signerKeyIndex: null, contractAddress: instrument.token_address, callData: data });
  }

  async pause(tx: SqlTx, instrumentId: string, paused: boolean, ref: string): Promise<string> {
    const instrument = await this.requireInstrument(tx, instrumentId);
    const data = tokenInterface.encodeFunctionData(paused ? 'pause' : 'unpause', []);
    return this.txs.enqueue(tx, { operation: 'pause', ref, signerKeyIndex: null, contractAddress: instrument.token_address, callData: data });
  }

  // ------------------------------------------------------------------ settlement

  /** Queues legs durably in the caller's transaction; a leg id seen before is ignored. */
  async queueSettlements(tx: SqlTx, legs: readonly SettlementLeg[]): Promise<number> {
    if (legs.length === 0) return 0;
    for (const leg of legs) assert(toBaseUnits(leg.quantity) > 0n && leg.fromRef !== leg.toRef, 'a leg moves a positive quantity between two wallets');
    const inserted = await tx.query(
      `INSERT INTO chain_settlement (settlement_id, instrument_id, from_ref, to_ref, quantity, batch_ref, status, queued_at)
       SELECT *, 'queued', clock_timestamp() FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::numeric[], $6::uuid[])
       ON CONFLICT (settlement_id) DO NOTHING RETURNING settlement_id`,
      [
        legs.map((l) => l.settlementId), legs.map((l) => l.instrumentId), legs.map((l) => l.fromRef), legs.map((l) => l.toRef), legs.map((l) => l.quantity),
        legs.map((l) => l.batchRef ?? null),
      ],
    );
    return inserted.length;
  }

  /**
   * One settlement cycle: every queued leg joins a batch of its (instrument, seller), at most
   * CHAIN_SETTLEMENT_BATCH_LEGS legs each, sent as one batchTransfer signed by the seller's
   * wallet: all legs of a batch settle, or none.
   */
  async batchSettlements(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const legs = await tx.query<{ settlement_id: string; instrument_id: string; from_ref: string; to_ref: string; quantity: string }>(
        `SELECT settlement_id, instrument_id, from_ref, to_ref, quantity::text FROM chain_settlement
          WHERE status = 'queued' ORDER BY queued_at, settlement_id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [SETTLEMENT_LEGS_PER_CYCLE_MAX],
      );
      if (legs.length === 0) return 0;
      const wallets = await this.walletsByRef(tx, [...new Set(legs.flatMap((l) => [l.from_ref, l.to_ref]))]);
      const groups = new Map<string, typeof legs>();
      for (const leg of legs) {
        const key = `${leg.instrument_id}/${leg.from_ref}`;
        groups.set(key, [...(groups.get(key) ?? []), leg]);
      }
      let batches = 0;
      for (const group of groups.values()) {
        const first = group[0];
        assert(first, 'a group has a leg');
        const instrument = await this.requireInstrument(tx, first.instrument_id);
        if (instrument.resolved_at !== null) {
          batches += await this.burnResolvedLegs(tx, instrument, group, wallets);
          continue;
        }
        const seller = wallets.get(first.from_ref);
        assert(seller, `seller wallet ${first.from_ref} is registered`);
        for (let from = 0; from < group.length; from += this.rpc.config.settlementBatchLegs) {
          const batch = group.slice(from, from + this.rpc.config.settlementBatchLegs);
          const receivers = batch.map((leg) => {
            const wallet = wallets.get(leg.to_ref);
            assert(wallet, `buyer wallet ${leg.to_ref} is registered`);
            return wallet.wallet_address;
          });
          const amounts = batch.map((leg) => toBaseUnits(leg.quantity, instrument.decimals));
          const txId = await this.txs.enqueue(tx, {
            operation: 'settlement',
            ref: `${first.instrument_id}/${first.from_ref}`,
            signerKeyIndex: seller.key_index,
            contractAddress: instrument.token_address,
            callData: tokenInterface.encodeFunctionData('batchTransfer', [receivers, amounts]),
          });
          await tx.query(`UPDATE chain_settlement SET status = 'batched', chain_tx_id = $2 WHERE settlement_id = ANY($1::uuid[])`, [
            batch.map((leg) => leg.settlement_id), txId,
          ]);
          batches += 1;
        }
      }
      return batches;
    });
  }

  /**
   * Legs of a resolved instrument: the receiver's position was paid out (and its units burned) at
   * resolution, so the units its deliverer owes are burned from the deliverer (the agent's batchBurn,
   * atomic per batch) instead of delivered to be burned.
   */
  private async burnResolvedLegs(
    tx: SqlTx, instrument: InstrumentRow, legs: readonly { settlement_id: string; from_ref: string; quantity: string }[], wallets: Map<string, WalletRow>,
  ): Promise<number> {
    let batches = 0;
    for (let from = 0; from < legs.length; from += this.rpc.config.settlementBatchLegs) {
      const batch = legs.slice(from, from + this.rpc.config.settlementBatchLegs);
      const deliverers = batch.map((leg) => {
        const wallet = wallets.get(leg.from_ref);
        assert(wallet, `seller wallet ${leg.from_ref} is registered`);
        return wallet.wallet_address;
      });
      const txId = await this.txs.enqueue(tx, {
        operation: 'settlement_burn',
        ref: `${instrument.instrument_id}/resolved`,
        signerKeyIndex: null,
        contractAddress: instrument.token_address,
        callData: tokenInterface.encodeFunctionData('batchBurn', [deliverers, batch.map((leg) => toBaseUnits(leg.quantity, instrument.decimals))]),
      });
      await tx.query(`UPDATE chain_settlement SET status = 'batched', chain_tx_id = $2 WHERE settlement_id = ANY($1::uuid[])`, [batch.map((l) => l.settlement_id), txId]);
      batches += 1;
    }
    return batches;
  }

  private async onSettlementMined(tx: SqlTx, outcome: TxOutcome): Promise<void> {
    const status = outcome.status === 'mined' ? 'settled' : 'failed';
    const updated = await tx.query(
      `UPDATE chain_settlement SET status = $2, settled_at = clock_timestamp() WHERE chain_tx_id = $1 AND status = 'batched' RETURNING settlement_id`,
      [outcome.id, status],
    );
    assert(updated.length > 0, 'a settlement transaction settles its legs');
    if (status === 'failed') this.logger.error({ event: 'chain.settlement.failed', chainTxId: outcome.id, legs: updated.length, error: outcome.error }, 'settlement batch failed');
  }

  private async onSettlementDropped(tx: SqlTx, chainTxId: string): Promise<void> {
    const reopened = await tx.query(
      `UPDATE chain_settlement SET status = 'batched', settled_at = NULL, confirmed_block = NULL WHERE chain_tx_id = $1 AND status = 'settled' RETURNING settlement_id`,
      [chainTxId],
    );
    assert(reopened.length > 0, 'a dropped settlement transaction had settled its legs');
  }

  /** Drives the queued work once: batch the cycle's legs, then push every queued transaction. */
  async tick(): Promise<void> {
    await this.completeWallets();
    await this.deployListings();
    await this.batchSettlements();
    await this.scheduleAnchors();
    await this.txs.process();
  }

  // ------------------------------------------------------------------ pre-trade check

  /**
   * Simulates (eth_call, nothing is sent) whether `quantity` could move from `fromRef` to `toRef`
   * now: pause, freezes, the receiver's verification, the seller's unfrozen balance and every
   * compliance module. Returns null when it could, else the first refusal.
   */
  async simulateTransfer(instrumentId: string, fromRef: string, toRef: string, quantity: string): Promise<PreTradeRefusal | null> {
    const { instrument, wallets } = await this.db.transaction(async (tx) => ({
      instrument: await this.deployedInstrument(tx, instrumentId),
      wallets: await this.walletsByRef(tx, [fromRef, toRef]),
    }));
    if (!instrument) return 'instrument_not_on_chain';
    const from = wallets.get(fromRef);
    const to = wallets.get(toRef);
    if (!from || !to) return 'unknown_wallet';
    const amount = toBaseUnits(quantity, instrument.decimals);
    const token = attach('Token', instrument.token_address, this.rpc.provider);
    const registry = attach('IdentityRegistry', instrument.contracts.identityRegistry, this.rpc.provider);
    const compliance = attach('ModularCompliance', instrument.contracts.compliance, this.rpc.provider);
    const view = (contract: Contract, name: string, ...args: unknown[]) => this.rpc.call(() => contract.getFunction(name).staticCall(...args));
    const [paused, fromFrozen, toFrozen, verified, balance, frozenTokens, compliant] = await Promise.all([
      view(token, 'paused'),
      view(token, 'isFrozen', from.wallet_address),
      view(token, 'isFrozen', to.wallet_address),
      view(registry, 'isVerified', to.wallet_address),
      view(token, 'balanceOf', from.wallet_address),
      view(token, 'getFrozenTokens', from.wallet_address),
      view(compliance, 'canTransfer', from.wallet_address, to.wallet_address, amount),
    ]);
    if (paused) return 'paused';
    if (fromFrozen) return 'sender_frozen';
    if (toFrozen) return 'receiver_frozen';
    if (!verified) return 'receiver_not_verified';
    if (from.kind !== 'house' && (balance as bigint) - (frozenTokens as bigint) < amount) return 'insufficient_unfrozen_balance';
    if (!compliant) return 'not_compliant';
    return null;
  }

  /**
   * The pre-trade check of an order by `walletRef`: a buy must be able to receive the quantity, a
   * sell to deliver it. The unknown counterparty is simulated by the platform's house wallet.
   */
  async preTradeCheck(input: { instrumentId: string; walletRef: string; side: 'buy' | 'sell'; quantity: string }): Promise<PreTradeRefusal | null> {
    const house = HOUSE_WALLET_REF;
    return input.side === 'buy'
      ? this.simulateTransfer(input.instrumentId, house, input.walletRef, input.quantity)
      : this.simulateTransfer(input.instrumentId, input.walletRef, house, input.quantity);
  }

  /**
   * What the omnibus wallets hold of every instrument on chain, read at the last block the
   * indexer took (so exactly what it has confirmed is in the balances, and nothing mined after),
   * with that block; null while nothing is indexed. At most `pairsMax` (instrument, wallet) pairs.
   */
  async omnibusBalances(pairsMax: number): Promise<{ atBlock: number; balances: ChainHolding[] } | null> {
    const { instruments, wallets, indexed } = await this.db.transaction(async (tx) => {
      const indexed = (await tx.query<{ n: string | null }>(`SELECT max(block_number)::text AS n FROM chain_block`))[0]?.n ?? null;
      return {
        indexed,
        // A suite still being deployed at that block has no token to ask yet (its balanceOf answers
        // no data): it holds nothing there, and no settlement leg can be confirmed before it.
        instruments: indexed === null ? [] : await tx.query<InstrumentRow>(
          `SELECT i.* FROM chain_instrument i
            WHERE NOT EXISTS (SELECT 1 FROM chain_tx t WHERE t.operation = 'deploy' AND t.ref = i.instrument_id::text
                                AND (t.status <> 'mined' OR t.block_number > $1))
            ORDER BY i.instrument_id`,
          [indexed],
        ),
        wallets: await tx.query<WalletRow>(`SELECT * FROM chain_wallet WHERE kind = 'omnibus' ORDER BY wallet_ref`),
      };
    });
    if (indexed === null) return null;
    const atBlock = Number(indexed);
    assert(instruments.length * wallets.length <= pairsMax, 'on-chain balances read within their limit');
    const balances: ChainHolding[] = [];
    for (const instrument of instruments) {
      const token = attach('Token', instrument.token_address, this.rpc.provider);
      for (const wallet of wallets) {
        const units = (await this.rpc.call(() => token.getFunction('balanceOf').staticCall(wallet.wallet_address, { blockTag: atBlock }))) as bigint;
        balances.push({ instrumentId: instrument.instrument_id, walletRef: wallet.wallet_ref, quantity: decimal(formatUnits(units, instrument.decimals)).toString() });
      }
    }
    return { atBlock, balances };
  }

  /**
   * What settlement has moved into (less out of) each wallet per instrument, counting only the
   * legs the indexer confirmed from their Transfer events at or below `atBlock`: the position a
   * wallet must hold on chain at that block. In the caller's transaction (one snapshot).
   */
  async settledPositions(tx: SqlTx, atBlock: number, pairs: readonly { instrumentId: string; walletRef: string }[]): Promise<ChainHolding[]> {
    if (pairs.length === 0) return [];
    const rows = await tx.query<{ instrument_id: string; wallet_ref: string; quantity: string }>(
      `SELECT p.instrument_id, p.wallet_ref,
              coalesce(sum(CASE WHEN s.to_ref = p.wallet_ref THEN s.quantity ELSE -s.quantity END), 0)::text AS quantity
         FROM unnest($1::uuid[], $2::uuid[]) AS p(instrument_id, wallet_ref)
         LEFT JOIN chain_settlement s ON s.instrument_id = p.instrument_id AND (s.to_ref = p.wallet_ref OR s.from_ref = p.wallet_ref)
                                     AND s.status = 'settled' AND s.confirmed_block <= $3
        GROUP BY p.instrument_id, p.wallet_ref`,
      [pairs.map((p) => p.instrumentId), pairs.map((p) => p.walletRef), atBlock],
    );
    assert(rows.length === pairs.length, 'one settled position per pair');
    return rows.map((r) => ({ instrumentId: r.instrument_id, walletRef: r.wallet_ref, quantity: decimal(r.quantity).toString() }));
  }

  /** The settlement batches with a leg not yet settled and confirmed on chain, in the caller's transaction. */
  async batchesAwaitingChain(tx: SqlTx, batchesMax: number): Promise<string[]> {
    const rows = await tx.query<{ batch_ref: string }>(
      `SELECT DISTINCT batch_ref FROM chain_settlement WHERE batch_ref IS NOT NULL AND (status <> 'settled' OR confirmed_block IS NULL) ORDER BY batch_ref LIMIT $1`,
      [batchesMax + 1],
    );
    assert(rows.length <= batchesMax, 'batches awaiting the chain within their limit');
    return rows.map((r) => r.batch_ref);
  }

  async isOnChain(instrumentId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => (await this.instrument(tx, instrumentId)) !== undefined);
  }

  // ------------------------------------------------------------------ audit anchoring

  /** Who records a mined anchor of `log` (in the transaction that marks it anchored); one per log. */
  onAnchored(log: AuditLogName, handler: (tx: SqlTx, anchored: AnchoredRoot) => Promise<void>): void {
    assert(!this.anchoredHandlers.has(log), `one anchored handler for the ${log} log`);
    this.anchoredHandlers.set(log, handler);
  }

  /**
   * The root the AuditAnchor contract of `log` holds for `batchId`, read from the chain itself
   * (null when the contract holds none): what a verification trusts, not our own records.
   */
  async rootOnChain(log: AuditLogName, batchId: number): Promise<string | null> {
    // A contract whose creation is still on its way holds no root (and a call to it answers no data).
    const [row] = await this.db.transaction((tx) => tx.query<{ contract_address: string }>(
      `SELECT contract_address FROM chain_contract c WHERE purpose = $1
          AND NOT EXISTS (SELECT 1 FROM chain_tx t WHERE t.status IN ('pending', 'signed', 'failed') AND t.operation = 'deploy' AND t.ref = c.purpose)`,
      [`audit_anchor:${log}`],
    ));
    if (!row) return null;
    const anchor = attach('AuditAnchor', row.contract_address, this.rpc.provider);
    const root = (await this.rpc.call(() => anchor.getFunction('rootOf').staticCall(BigInt(batchId)))) as string;
    return /^0x0{64}$/.test(root) ? null : root.slice(2);
  }

  /** Records a batch root of `log` to anchor, in the caller's transaction; a batch id seen before is ignored. */
  async requestAnchor(tx: SqlTx, log: AuditLogName, request: AnchorRequest): Promise<boolean> {
    assert(/^[0-9a-f]{64}$/.test(request.merkleRoot), 'a Merkle root is sha-256 hex');
    assert(request.lastSeq - request.firstSeq + 1 === request.entryCount, 'a batch covers exactly its entries');
    const inserted = await tx.query(
      `INSERT INTO chain_anchor (log, batch_id, merkle_root, entry_count, first_seq, last_seq, status, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', clock_timestamp()) ON CONFLICT (log, batch_id) DO NOTHING RETURNING batch_id`,
      [log, request.batchId, request.merkleRoot, request.entryCount, request.firstSeq, request.lastSeq],
    );
    return inserted.length > 0;
  }

  /** Gives every recorded root its anchoring transaction (the anchor contract is deployed on first use). */
  async scheduleAnchors(): Promise<number> {
    let scheduled = 0;
    for (const log of ['customer', 'execution'] as const) {
      const waiting = await this.db.transaction((tx) => tx.query(`SELECT 1 FROM chain_anchor WHERE log = $1 AND chain_tx_id IS NULL LIMIT 1`, [log]));
      if (waiting.length === 0) continue;
      const anchorAddress = await this.auditAnchor(log);
      scheduled += await this.db.transaction(async (tx) => {
        const rows = await tx.query<{ batch_id: string; merkle_root: string; entry_count: number }>(
          `SELECT batch_id, merkle_root, entry_count FROM chain_anchor WHERE log = $1 AND chain_tx_id IS NULL
            ORDER BY batch_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [log, ANCHORS_PER_CYCLE_MAX],
        );
        for (const row of rows) {
          const data = anchorInterface.encodeFunctionData('anchor', [BigInt(row.batch_id), `0x${row.merkle_root}`, row.entry_count]);
          const txId = await this.txs.enqueue(tx, { operation: 'anchor', ref: `${log}:${row.batch_id}`, signerKeyIndex: null, contractAddress: anchorAddress, callData: data });
          await tx.query(`UPDATE chain_anchor SET chain_tx_id = $3 WHERE log = $1 AND batch_id = $2`, [log, row.batch_id, txId]);
        }
        return rows.length;
      });
    }
    return scheduled;
  }

  /** A reverted anchor is final at once (the contract refuses a batch id twice); a mined one waits for its confirmation. */
  private async onAnchorSent(tx: SqlTx, outcome: TxOutcome): Promise<void> {
    if (outcome.status === 'mined') return;
    const [row] = await tx.query<{ log: AuditLogName; batch_id: string }>(
      `UPDATE chain_anchor SET status = 'anchored' WHERE chain_tx_id = $1 AND status = 'queued' RETURNING log, batch_id`, [outcome.id],
    );
    assert(row, 'an anchor transaction anchors its batch');
    this.logger.error({ event: 'chain.anchor.failed', log: row.log, batchId: row.batch_id, error: outcome.error }, 'anchoring failed');
  }

  /**
   * A reorganisation dropped a mined anchor. Before its confirmation nobody was told, so the
   * rebroadcast is all it takes. After it (a reorganisation deeper than CHAIN_CONFIRMATIONS) the
   * log's owner holds a block the chain no longer has: the root is put back by the rebroadcast,
   * and a person corrects the record (docs/operations.md, reorganisation runbook).
   */
  private async onAnchorDropped(tx: SqlTx, chainTxId: string): Promise<void> {
    const [row] = await tx.query<{ log: AuditLogName; batch_id: string; status: 'queued' | 'anchored' }>(
      `SELECT log, batch_id, status FROM chain_anchor WHERE chain_tx_id = $1 FOR UPDATE`, [chainTxId],
    );
    assert(row, 'a dropped anchor transaction anchors a batch');
    if (row.status === 'anchored') {
      this.logger.error(
        { event: 'chain.anchor.reorg_below_confirmations', log: row.log, batchId: row.batch_id, chainTxId },
        'a reorganisation dropped a confirmed anchor: its recorded block is gone; rebroadcasting',
      );
    }
  }

  /**
   * Announces the anchors the indexer has confirmed: a mined anchor whose RootAnchored event (its
   * own transaction, its contract) is indexed at confirmed depth is final, so only now is it
   * recorded by its log's owner and, for the customer log, answered across the wall with the
   * block the event is in. Returns how many were confirmed.
   */
  async confirmAnchors(): Promise<number> {
    const confirmed = await this.db.transaction(async (tx) => {
      const rows = await tx.query<{
        log: AuditLogName; batch_id: string; merkle_root: string; contract_address: string; tx_hash: string; block_number: string; event_batch_id: string; event_root: string;
      }>(
        `SELECT a.log, a.batch_id::text, a.merkle_root, t.contract_address, t.tx_hash, e.block_number::text,
                e.args ->> 'batchId' AS event_batch_id, e.args ->> 'root' AS event_root
           FROM chain_anchor a
           JOIN chain_tx t ON t.id = a.chain_tx_id AND t.status = 'mined'
           JOIN chain_event e ON e.kind = 'RootAnchored' AND e.tx_hash = t.tx_hash AND lower(e.contract_address) = lower(t.contract_address)
          WHERE a.status = 'queued'
          ORDER BY a.log, a.batch_id LIMIT $1 FOR UPDATE OF a SKIP LOCKED`,
        [ANCHORS_PER_CYCLE_MAX],
      );
      for (const row of rows) {
        // The event is the contract's own record of what our transaction anchored.
        assert(row.event_batch_id === row.batch_id && row.event_root === `0x${row.merkle_root}`, 'a confirmed RootAnchored event anchors its batch root');
        await tx.query(`UPDATE chain_anchor SET status = 'anchored' WHERE log = $1 AND batch_id = $2 AND status = 'queued'`, [row.log, row.batch_id]);
        const anchored: AnchoredRoot = {
          batchId: Number(row.batch_id), merkleRoot: row.merkle_root, chainId: this.rpc.config.chainId, contractAddress: getAddress(row.contract_address),
          txHash: row.tx_hash, blockNumber: Number(row.block_number),
        };
        await this.anchoredHandlers.get(row.log)?.(tx, anchored);
        this.logger.log({ event: 'chain.anchor.confirmed', log: row.log, batchId: row.batch_id, block: row.block_number }, 'anchor confirmed');
        if (row.log !== 'customer') continue;
        const body: MessageBody<'audit.anchored.v1'> = {
          batchId: anchored.batchId, merkleRoot: anchored.merkleRoot, chainId: anchored.chainId, contractAddress: anchored.contractAddress,
          txHash: anchored.txHash, blockNumber: anchored.blockNumber, anchoredAt: new Date().toISOString(),
        };
        await enqueueOutbound(tx, [{ type: 'audit.anchored.v1', body }]);
      }
      return rows.length;
    });
    if (confirmed > 0) this.wall.nudge();
    return confirmed;
  }

  /**
   * What an operator needs during a chain outage (docs/operations.md), shown with the chain's
   * status: the breaker, and every queue the module drains — settlement legs by status with the
   * oldest waiting, transactions not final yet and failed ones, listings and wallets still to
   * deploy, roots still to anchor.
   */
  async queues(): Promise<ChainQueues> {
    const breaker = this.rpc.breakerStatus();
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const settlements = await tx.query<{ status: string; legs: number; oldest: Date | null }>(
        `SELECT status, count(*)::int AS legs, min(queued_at) AS oldest FROM chain_settlement GROUP BY status ORDER BY status`,
      );
      const [unconfirmed] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM chain_settlement WHERE status = 'settled' AND confirmed_block IS NULL`);
      const txs = await tx.query<{ status: string; n: number; oldest: Date | null }>(
        `SELECT status, count(*)::int AS n, min(created_at) AS oldest FROM chain_tx WHERE status <> 'mined' GROUP BY status ORDER BY status`,
      );
      const [counts] = await tx.query<{ listings: number; listings_stuck: number; wallets: number; anchors: number }>(
        `SELECT (SELECT count(*)::int FROM chain_listing WHERE status = 'queued') AS listings,
                (SELECT count(*)::int FROM chain_listing WHERE status = 'queued' AND attempts >= $1) AS listings_stuck,
                (SELECT count(*)::int FROM chain_wallet WHERE identity_contract IS NULL) AS wallets,
                (SELECT count(*)::int FROM chain_anchor WHERE status = 'queued') AS anchors`,
        [LISTING_ATTEMPTS_MAX],
      );
      assert(counts !== undefined, 'one row of counts');
      const legs = (status: string) => settlements.find((r) => r.status === status);
      const open = (status: string) => txs.find((r) => r.status === status);
      return {
        breaker,
        settlements: {
          queued: legs('queued')?.legs ?? 0, batched: legs('batched')?.legs ?? 0, settled: legs('settled')?.legs ?? 0, failed: legs('failed')?.legs ?? 0,
          settledUnconfirmed: unconfirmed?.n ?? 0,
          oldestWaitingAt: earliest(legs('queued')?.oldest, legs('batched')?.oldest),
        },
        transactions: {
          pending: open('pending')?.n ?? 0, signed: open('signed')?.n ?? 0, failed: open('failed')?.n ?? 0,
          oldestOpenAt: earliest(open('pending')?.oldest, open('signed')?.oldest),
        },
        listingsQueued: counts.listings,
        listingsStuck: counts.listings_stuck,
        walletsPending: counts.wallets,
        anchorsQueued: counts.anchors,
      };
    });
  }

  /** Gas used per operation, deployments and registrations included. */
  gasReportByOperation(): Promise<{ operation: string; transactions: number; gasUsed: string }[]> {
    return this.txs.gasReport();
  }
}
