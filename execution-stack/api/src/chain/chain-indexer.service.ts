// The event indexer: follows the contracts the module deployed (tokens and audit anchors) and
// records Transfer, freezes, pause and anchored roots once a block has enough confirmations.
// A settled batch's legs are confirmed from its indexed Transfer events, not from our own records.
// It remembers the hash of every block it took events from; when the chain reorganises under
// it, it walks back to the last block whose hash still matches, forgets everything after it
// and indexes the new branch.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interface, type Log } from 'ethers';
import { artifact } from '@bulwark/solidity';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { ChainRpc } from './chain-rpc.js';

export const INDEXED_EVENTS = ['Transfer', 'AddressFrozen', 'TokensFrozen', 'TokensUnfrozen', 'Paused', 'Unpaused', 'RootAnchored'] as const;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
/** Settled legs one pass checks against their Transfer events. */
export const SETTLEMENT_LEGS_CONFIRMED_PER_PASS_MAX = 10_000;
/** Blocks one pass asks the node for. */
export const INDEXER_BLOCKS_PER_PASS_MAX = 2_000;

const eventsInterface = new Interface([
  ...new Interface(artifact('Token').abi).fragments.filter((f) => f.type === 'event'),
  ...new Interface(artifact('AuditAnchor').abi).fragments.filter((f) => f.type === 'event'),
]);
const indexed = new Set<string>(INDEXED_EVENTS);

export interface IndexedEvent {
  readonly blockNumber: string;
  readonly logIndex: number;
  readonly txHash: string;
  readonly contractAddress: string;
  readonly name: string;
  readonly args: Record<string, string | boolean>;
}

export class ReorgTooDeepError extends Error {
  override readonly name = 'ReorgTooDeepError';
}

@Injectable()
export class ChainIndexerService {
  private readonly logger = new Logger(ChainIndexerService.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(ChainRpc) private readonly rpc: ChainRpc,
  ) {}

  /** One pass: undo a reorganisation if there was one, then index what is confirmed. Returns the events added. */
  async indexOnce(): Promise<number> {
    const head = await this.rpc.call(() => this.rpc.provider.getBlockNumber());
    const confirmedTo = head - this.rpc.config.confirmations;
    const resumeAt = await this.rollBackReorg();
    if (resumeAt > confirmedTo) return 0;
    const to = Math.min(confirmedTo, resumeAt + INDEXER_BLOCKS_PER_PASS_MAX - 1);
    const addresses = await this.db.transaction(async (tx) => [
      ...(await tx.query<{ a: string }>(`SELECT token_address AS a FROM chain_instrument`)).map((r) => r.a),
      ...(await tx.query<{ a: string }>(`SELECT contract_address AS a FROM chain_contract WHERE purpose LIKE 'audit_anchor:%'`)).map((r) => r.a),
    ]);
    const logs = addresses.length === 0 ? [] : await this.rpc.call(() => this.rpc.provider.getLogs({ fromBlock: resumeAt, toBlock: to, address: addresses }));
    const last = await this.rpc.call(() => this.rpc.provider.getBlock(to));
    assert(last?.hash, 'a confirmed block has a hash');
    const lastHash = last.hash;
    const events = logs.flatMap((log) => this.decode(log));
    await this.db.transaction(async (tx) => {
      const blocks = new Map<number, string>(logs.map((log) => [log.blockNumber, log.blockHash]));
      blocks.set(to, lastHash);
      await tx.query(
        `INSERT INTO chain_block (block_number, block_hash) SELECT * FROM unnest($1::bigint[], $2::text[])
         ON CONFLICT (block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash`,
        [[...blocks.keys()], [...blocks.values()]],
      );
      await this.insertEvents(tx, events);
      await this.confirmSettlements(tx);
    });
    return events.length;
  }

  /** The first block to index: after the last stored block whose hash the chain still has. */
  private async rollBackReorg(): Promise<number> {
    const stored = await this.db.transaction((tx) =>
      tx.query<{ block_number: string; block_hash: string }>(`SELECT block_number, block_hash FROM chain_block ORDER BY block_number DESC LIMIT $1`, [
        this.rpc.config.reorgDepthMax,
      ]),
    );
    if (stored.length === 0) return 0;
    const newest = Number(stored[0]?.block_number);
    for (const block of stored) {
      const number = Number(block.block_number);
      const onChain = await this.rpc.call(() => this.rpc.provider.getBlock(number));
      if (onChain?.hash === block.block_hash) {
        if (number < newest) await this.forgetAfter(number, newest);
        return number + 1;
      }
    }
    const oldest = Number(stored[stored.length - 1]?.block_number);
    if (stored.length < this.rpc.config.reorgDepthMax) {
      await this.forgetAfter(-1, newest); // every stored block was replaced: start again from genesis
      return 0;
    }
    throw new ReorgTooDeepError(`chain reorganised deeper than ${this.rpc.config.reorgDepthMax} indexed blocks (below block ${oldest})`);
  }

  private async forgetAfter(blockNumber: number, newest: number): Promise<void> {
    const removed = await this.db.transaction(async (tx) => {
      const events = await tx.query(`DELETE FROM chain_event WHERE block_number > $1 RETURNING block_number`, [blockNumber]);
      await tx.query(`DELETE FROM chain_block WHERE block_number > $1`, [blockNumber]);
      // Their Transfer events are gone with the blocks: the legs wait to be confirmed again.
      await tx.query(`UPDATE chain_settlement SET confirmed_block = NULL WHERE confirmed_block > $1`, [blockNumber]);
      return events.length;
    });
    this.logger.warn({ event: 'chain.reorg', commonAncestor: blockNumber, previousHead: newest, eventsRemoved: removed }, 'chain reorganised: re-indexing');
  }

  private decode(log: Log): IndexedEvent[] {
    const parsed = eventsInterface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed || !indexed.has(parsed.name)) return [];
    const args: Record<string, string | boolean> = {};
    parsed.fragment.inputs.forEach((input, i) => {
      const value: unknown = parsed.args[i];
      args[input.name] = typeof value === 'boolean' ? value : String(value);
    });
    return [{ blockNumber: String(log.blockNumber), logIndex: log.index, txHash: log.transactionHash, contractAddress: log.address, name: parsed.name, args }];
  }

  /**
   * Confirms settled legs from the chain's own record: a batch's legs are confirmed when the
   * indexed Transfer events of its transaction are exactly its legs (receiver and base units,
   * one event per leg). A batch whose events disagree is an invariant broken: it stays
   * unconfirmed and is logged for a person, never patched.
   */
  private async confirmSettlements(tx: SqlTx): Promise<void> {
    const legs = await tx.query<{ chain_tx_id: string; tx_hash: string; token_address: string; receiver: string; units: string }>(
      `SELECT s.chain_tx_id, t.tx_hash, i.token_address,
              -- a leg of a resolved instrument is burned from its deliverer: its Transfer goes to the zero address
              CASE WHEN t.operation = 'settlement_burn' THEN '${ZERO_ADDRESS}' ELSE lower(w.wallet_address) END AS receiver,
              trunc(s.quantity * power(10::numeric, i.decimals))::numeric(78, 0)::text AS units
         FROM chain_settlement s
         JOIN chain_tx t ON t.id = s.chain_tx_id
         JOIN chain_instrument i ON i.instrument_id = s.instrument_id
         JOIN chain_wallet w ON w.wallet_ref = s.to_ref
        WHERE s.status = 'settled' AND s.confirmed_block IS NULL AND t.tx_hash IS NOT NULL
        ORDER BY s.chain_tx_id LIMIT $1`,
      [SETTLEMENT_LEGS_CONFIRMED_PER_PASS_MAX],
    );
    if (legs.length === 0) return;
    const batches = new Map<string, typeof legs>();
    for (const leg of legs) batches.set(leg.chain_tx_id, [...(batches.get(leg.chain_tx_id) ?? []), leg]);
    // A full page may have cut its last batch short: that batch waits for the next pass.
    if (legs.length === SETTLEMENT_LEGS_CONFIRMED_PER_PASS_MAX && batches.size > 1) batches.delete(legs[legs.length - 1]?.chain_tx_id ?? '');
    const events = await tx.query<{ tx_hash: string; contract_address: string; block_number: string; receiver: string; units: string }>(
      `SELECT tx_hash, contract_address, block_number::text, lower(args ->> 'to') AS receiver, args ->> 'value' AS units
         FROM chain_event WHERE kind = 'Transfer' AND tx_hash = ANY($1::text[])`,
      [[...new Set(legs.map((l) => l.tx_hash))]],
    );
    for (const [chainTxId, batch] of batches) {
      const first = batch[0];
      assert(first, 'a batch has a leg');
      const transfers = events.filter((e) => e.tx_hash === first.tx_hash && e.contract_address.toLowerCase() === first.token_address.toLowerCase());
      if (transfers.length === 0) continue; // not indexed yet (or not confirmed deep enough)
      const expected = batch.map((l) => `${l.receiver}:${l.units}`).sort();
      const actual = transfers.map((e) => `${e.receiver}:${e.units}`).sort();
      if (expected.join(',') !== actual.join(',')) {
        this.logger.error(
          { event: 'chain.settlement.unconfirmable', chainTxId, txHash: first.tx_hash, legs: batch.length, transfers: transfers.length },
          'settlement batch disagrees with its Transfer events',
        );
        continue;
      }
      const block = transfers[0]?.block_number;
      await tx.query(`UPDATE chain_settlement SET confirmed_block = $2 WHERE chain_tx_id = $1 AND status = 'settled'`, [chainTxId, block]);
    }
  }

  private async insertEvents(tx: SqlTx, events: readonly IndexedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO chain_event (block_number, log_index, block_hash, tx_hash, contract_address, kind, args)
       SELECT e.block_number, e.log_index, b.block_hash, e.tx_hash, e.contract_address, e.kind, e.args
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS e(block_number, log_index, tx_hash, contract_address, kind, args)
         JOIN chain_block b ON b.block_number = e.block_number
       ON CONFLICT (block_number, log_index) DO NOTHING`,
      [
        events.map((e) => e.blockNumber), events.map((e) => e.logIndex), events.map((e) => e.txHash), events.map((e) => e.contractAddress),
        events.map((e) => e.name), events.map((e) => JSON.stringify(e.args)),
      ],
    );
  }

  /** Indexed events, oldest first (for reconciliation and tests). */
  async events(filter: { name?: string; contractAddress?: string } = {}, limit = 1_000): Promise<IndexedEvent[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ block_number: string; log_index: number; tx_hash: string; contract_address: string; name: string; args: Record<string, string | boolean> }>(
        `SELECT block_number, log_index, tx_hash, contract_address, kind AS name, args FROM chain_event
          WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR lower(contract_address) = lower($2))
          ORDER BY block_number, log_index LIMIT $3`,
        [filter.name ?? null, filter.contractAddress ?? null, limit],
      ),
    );
    return rows.map((r) => ({ blockNumber: r.block_number, logIndex: r.log_index, txHash: r.tx_hash, contractAddress: r.contract_address, name: r.name, args: r.args }));
  }
}
