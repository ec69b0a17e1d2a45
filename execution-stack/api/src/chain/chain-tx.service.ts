// The durable transaction pipeline. A transaction is first a row (in the caller's database
// transaction), then it is signed and the signed bytes are stored before broadcast, then it is
// mined. After a crash or a chain outage the same bytes are rebroadcast: one nonce, one effect.
// Each signer's rows are handled strictly in order, one in flight at a time.
//
// A mined transaction keeps the hash of its block. While that block is within reorganisation
// depth, each pass checks the chain still has it; when a reorganisation dropped the transaction,
// the row goes back to signed (its operation's reopen handler puts its domain rows back in the
// same database transaction) and the pipeline rebroadcasts the same bytes. A fresh nonce is
// signed only once the old one is consumed, at confirmed depth, by another transaction: then the
// old bytes can never land, so the work still happens exactly once.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transaction, isCallException, isError, type TransactionReceipt } from 'ethers';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { ChainRpc, ChainUnavailableError } from './chain-rpc.js';
import { CREATE2_PROXY, create2Target } from './deployment-plan.js';

export interface TxRequest {
  /** e.g. settlement, mint, burn, freeze, pause, fund, anchor. */
  readonly operation: string;
  readonly ref: string;
  /** The custodial wallet that signs, or null for the operator. */
  readonly signerKeyIndex: number | null;
  readonly contractAddress: string;
  readonly callData: string;
  readonly valueWei?: bigint;
}

export interface TxOutcome {
  readonly id: string;
  readonly operation: string;
  readonly ref: string;
  readonly status: 'mined' | 'failed';
  readonly txHash: string | null;
  readonly blockNumber: string | null;
  readonly error: string | null;
}

/** Runs in the database transaction that records the outcome. */
export type TxCompletion = (tx: SqlTx, outcome: TxOutcome) => Promise<void>;
/** Runs in the database transaction that puts a mined transaction a reorganisation dropped back to signed. */
export type TxReopen = (tx: SqlTx, reopened: { readonly id: string; readonly operation: string; readonly ref: string }) => Promise<void>;

interface TxRow {
  id: string;
  operation: string;
  ref: string;
  signer_key_index: number | null;
  signer_address: string;
  contract_address: string;
  call_data: string;
  value_wei: string;
  status: 'pending' | 'signed';
  nonce: string | null;
  raw_tx: string | null;
  tx_hash: string | null;
  attempts: number;
}

interface MinedRow {
  id: string;
  operation: string;
  ref: string;
  contract_address: string;
  call_data: string;
  tx_hash: string;
  block_number: string;
  block_hash: string;
}

/** Signing attempts before a transaction is failed for a human to look at. */
export const CHAIN_TX_ATTEMPTS_MAX = 20;
/** Transactions one signer pushes per pass, so one busy signer cannot starve the others. */
export const CHAIN_TX_PER_PASS_MAX = 50;
/** Mined transactions one pass checks against reorganisations. */
export const CHAIN_TX_REORG_CHECKS_PER_PASS_MAX = 500;
/** Gas limit headroom over the estimate, in percent. */
const GAS_HEADROOM_PCT = 25n;

@Injectable()
export class ChainTxService {
  private readonly logger = new Logger(ChainTxService.name);
  private readonly completions = new Map<string, TxCompletion>();
  private readonly reopens = new Map<string, TxReopen>();
  private running: Promise<void> | null = null;
  /** The head whose chain of blocks the last reorganisation check found every recorded block on. */
  private verifiedHead: { number: number; hash: string } | null = null;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(ChainRpc) private readonly rpc: ChainRpc,
  ) {}

  onComplete(operation: string, completion: TxCompletion): void {
    assert(!this.completions.has(operation), `one completion per operation (${operation})`);
    this.completions.set(operation, completion);
  }

  /**
   * What puts an operation's domain rows back when a reorganisation dropped its mined transaction
   * (the completion runs again once it is mined again). An operation with a completion and no
   * reopen is not rebroadcast: it is left for a person (docs/operations.md, reorg runbook).
   */
  onReopen(operation: string, reopen: TxReopen): void {
    assert(!this.reopens.has(operation), `one reopen per operation (${operation})`);
    this.reopens.set(operation, reopen);
  }

  /** Queues a transaction in the caller's database transaction; returns its id. */
  async enqueue(tx: SqlTx, request: TxRequest): Promise<string> {
    const signer = request.signerKeyIndex === null ? this.rpc.operator : this.rpc.wallet(request.signerKeyIndex);
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO chain_tx (operation, ref, signer_key_index, signer_address, contract_address, call_data, value_wei, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', clock_timestamp()) RETURNING id`,
      [request.operation, request.ref, request.signerKeyIndex, signer.address, request.contractAddress, request.callData, String(request.valueWei ?? 0n)],
    );
    assert(row, 'chain_tx row inserted');
    return row.id;
  }

  /** One pass over every signer with open transactions; concurrent callers share the pass. */
  process(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      await this.reopenDropped();
    } catch (error) {
      if (error instanceof ChainUnavailableError) return; // the next pass checks again
      throw error;
    }
    const signers = await this.db.transaction((tx) =>
      tx.query<{ signer_address: string }>(`SELECT DISTINCT signer_address FROM chain_tx WHERE status IN ('pending', 'signed')`),
    );
    for (const { signer_address } of signers) {
      try {
        if (signer_address === this.rpc.operator.address) await this.rpc.withOperator(() => this.processSigner(signer_address));
        else await this.processSigner(signer_address);
      } catch (error) {
        if (error instanceof ChainUnavailableError) return; // everything stays queued; the next pass retries
        throw error;
      }
    }
  }

  private async processSigner(signerAddress: string): Promise<void> {
    for (let done = 0; done < CHAIN_TX_PER_PASS_MAX; done += 1) {
      const [row] = await this.db.transaction((tx) =>
        tx.query<TxRow>(
          `SELECT id, operation, ref, signer_key_index, signer_address, contract_address, call_data, value_wei, status, nonce, raw_tx, tx_hash, attempts
             FROM chain_tx WHERE signer_address = $1 AND status IN ('pending', 'signed') ORDER BY id LIMIT 1`,
          [signerAddress],
        ),
      );
      if (!row) return;
      const signed = row.status === 'signed' ? row : await this.sign(row);
      if (!signed) continue; // refused by the chain before signing: recorded as failed
      if (!(await this.broadcastAndSettle(signed))) return; // not final yet: wait for the next pass
    }
  }

  /** Estimates, signs and stores the signed bytes; a revert at estimation fails the row. */
  private async sign(row: TxRow): Promise<TxRow | null> {
    const signer = row.signer_key_index === null ? this.rpc.operator : this.rpc.wallet(row.signer_key_index);
    assert(signer.address === row.signer_address, 'the stored signer is the derived one');
    if (row.attempts >= CHAIN_TX_ATTEMPTS_MAX) {
      await this.finish(row, { status: 'failed', txHash: row.tx_hash, blockNumber: null, error: 'signing attempts exhausted' }, null);
      return null;
    }
    const request = { from: signer.address, to: row.contract_address, data: row.call_data, value: BigInt(row.value_wei) };
    let gasEstimate: bigint;
    try {
      gasEstimate = await this.rpc.call(() => this.rpc.provider.estimateGas(request));
    } catch (error) {
      if (!isCallException(error)) throw error;
      const reason = error.revert ? `${error.revert.name}(${error.revert.args.join(', ')})` : (error.shortMessage ?? 'reverted');
      await this.finish(row, { status: 'failed', txHash: null, blockNumber: null, error: reason }, null);
      return null;
    }
    const [nonce, fees] = await Promise.all([
      this.rpc.call(() => this.rpc.provider.getTransactionCount(signer.address, 'pending')),
      this.rpc.call(() => this.rpc.provider.getFeeData()),
    ]);
    assert(fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null, 'the chain prices gas the EIP-1559 way');
    const rawTx = await signer.signTransaction({
      ...request,
      type: 2,
      chainId: this.rpc.config.chainId,
      nonce,
      gasLimit: (gasEstimate * (100n + GAS_HEADROOM_PCT)) / 100n,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const txHash = Transaction.from(rawTx).hash;
    assert(txHash !== null, 'a signed transaction has a hash');
    await this.db.transaction((tx) =>
      tx.query(`UPDATE chain_tx SET status = 'signed', nonce = $2, raw_tx = $3, tx_hash = $4, attempts = attempts + 1 WHERE id = $1 AND status = 'pending'`, [
        row.id, nonce, rawTx, txHash,
      ]),
    );
    return { ...row, status: 'signed', nonce: String(nonce), raw_tx: rawTx, tx_hash: txHash, attempts: row.attempts + 1 };
  }

  /** True when the row reached a final state. */
  private async broadcastAndSettle(row: TxRow): Promise<boolean> {
    assert(row.raw_tx !== null && row.tx_hash !== null, 'a signed row has its bytes and hash');
    const txHash = row.tx_hash;
    let receipt = await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash));
    if (!receipt) {
      // Bytes the node already holds wait for a block: sent again they would only be refused, and
      // each refusal would count against the breaker as if the chain were down.
      if (await this.rpc.call(() => this.rpc.provider.getTransaction(txHash))) return false;
      const rawTx = row.raw_tx;
      try {
        await this.rpc.call(() => this.rpc.provider.broadcastTransaction(rawTx));
      } catch (error) {
        if (!(error instanceof ChainUnavailableError) || !/nonce|already known|already imported|replacement/i.test(error.message)) throw error;
        // The node refuses the bytes: they are pending already, or their nonce is used. Only a
        // nonce another transaction consumed at confirmed depth lets us sign again: our bytes can
        // then never land, so signing afresh cannot make the work happen twice.
        if (await this.nonceConsumedByAnother(row)) {
          this.logger.warn({ event: 'chain.tx.resign', id: row.id, nonce: row.nonce, error: error.message }, 'nonce taken by another transaction: signing again');
          await this.db.transaction((tx) => tx.query(`UPDATE chain_tx SET status = 'pending', last_error = $2 WHERE id = $1 AND status = 'signed'`, [row.id, 'nonce taken']));
          return true;
        }
      }
      receipt = await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash));
    }
    if (!receipt) return false;
    const mined = receipt;
    const head = await this.rpc.call(() => this.rpc.provider.getBlockNumber());
    if (head - mined.blockNumber + 1 < Math.max(1, this.rpc.config.confirmations)) return false;
    if (mined.status === 1 && (await this.ranWithoutContract(row, mined))) {
      // The bytes landed before the contract they call existed (after a reorganisation, once the
      // contract's creation was re-signed behind them): they did nothing, and being mined at
      // confirmed depth they can never land again, so signing afresh does the work once.
      const ran = { event: 'chain.tx.ran_without_contract', id: row.id, operation: row.operation, ref: row.ref, block: mined.blockNumber };
      this.logger.warn(ran, 'mined before its contract existed: signing again');
      await this.db.transaction((tx) =>
        tx.query(`UPDATE chain_tx SET status = 'pending', last_error = $2 WHERE id = $1 AND status = 'signed'`, [row.id, 'mined before its contract existed']),
      );
      return true;
    }
    await this.finish(
      row,
      { status: mined.status === 1 ? 'mined' : 'failed', txHash, blockNumber: String(mined.blockNumber), error: mined.status === 1 ? null : 'reverted' },
      mined,
    );
    return true;
  }

  private async finish(row: TxRow, result: Omit<TxOutcome, 'id' | 'operation' | 'ref'>, receipt: TransactionReceipt | null): Promise<void> {
    const outcome: TxOutcome = { id: row.id, operation: row.operation, ref: row.ref, ...result };
    await this.db.transaction(async (tx) => {
      const updated = await tx.query<{ id: string }>(
        `UPDATE chain_tx SET status = $2, tx_hash = $3, block_number = $4, gas_used = $5, effective_gas_price = $6, last_error = $7, block_hash = $8,
                mined_at = CASE WHEN $4::bigint IS NULL THEN NULL ELSE clock_timestamp() END
          WHERE id = $1 AND status IN ('pending', 'signed') RETURNING id`,
        [
          row.id, outcome.status, outcome.txHash, outcome.blockNumber, receipt ? String(receipt.gasUsed) : null, receipt ? String(receipt.gasPrice) : null,
          outcome.error, receipt?.blockHash ?? null,
        ],
      );
      if (updated.length === 0) return; // another pass finished it first
      if (outcome.status === 'failed') {
        this.logger.error({ event: 'chain.tx.failed', id: row.id, operation: row.operation, ref: row.ref, error: outcome.error }, 'chain transaction failed');
      }
      await this.completions.get(row.operation)?.(tx, outcome);
    });
  }

  /**
   * True when the row's nonce is used, at confirmed depth, by a transaction other than the row's
   * own: the row's signed bytes can then never be mined. Read in this order (nonce, then our
   * receipt) so our own transaction mined in between is seen as ours.
   */
  private async nonceConsumedByAnother(row: TxRow): Promise<boolean> {
    assert(row.nonce !== null && row.tx_hash !== null, 'a signed row has its nonce and hash');
    const txHash = row.tx_hash;
    const head = await this.rpc.call(() => this.rpc.provider.getBlockNumber());
    const confirmedAt = Math.max(0, head - Math.max(1, this.rpc.config.confirmations) + 1);
    const used = await this.rpc.call(() => this.rpc.provider.getTransactionCount(row.signer_address, confirmedAt));
    if (used <= Number(row.nonce)) return false;
    return (await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash))) === null;
  }

  /**
   * True when the row calls a contract (not a plain transfer, not a creation through the CREATE2
   * proxy) that had no code when the transaction ran: neither before its block nor created earlier
   * in that block. A call to an address without code succeeds doing nothing. The pipeline sends a
   * signer's transactions in order, so this happens only when a reorganisation dropped a creation
   * whose nonce another transaction then took, and the old bytes of a call after it (rebroadcast
   * by a node or by anyone who kept them) were mined before the creation was signed again.
   */
  private async ranWithoutContract(row: { contract_address: string; call_data: string }, receipt: TransactionReceipt): Promise<boolean> {
    const target = row.contract_address.toLowerCase();
    if (row.call_data === '0x' || target === CREATE2_PROXY) return false;
    let code: string;
    try {
      code = await this.rpc.call(() => this.rpc.provider.getCode(target, receipt.blockNumber - 1));
    } catch (error) {
      // The node answered without that block's state (restarted from a state dump, or pruned):
      // there is nothing to tell, as before any reorganisation. A node not answering is an outage.
      if (error instanceof ChainUnavailableError && isError(error.cause, 'UNKNOWN_ERROR') && error.cause.error !== undefined) return false;
      throw error;
    }
    if (code !== '0x') return false;
    const block = await this.rpc.call(() => this.rpc.provider.getBlock(receipt.blockNumber, true));
    assert(block, 'the block of a receipt is on the chain');
    for (const earlier of block.prefetchedTransactions.slice(0, receipt.index)) {
      if (earlier.to?.toLowerCase() !== CREATE2_PROXY || create2Target(earlier.data).toLowerCase() !== target) continue;
      const created = await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(earlier.hash));
      if (created?.status === 1) return false;
    }
    return true;
  }

  /**
   * Checks the blocks of the transactions mined within reorganisation depth: a block the chain
   * no longer has means a reorganisation. A transaction it moved to another block keeps its
   * outcome (block recorded again); one it dropped goes back to signed, its operation's rows
   * reopened in the same database transaction, and this pass rebroadcasts it. One whose new
   * block reverted it is also reopened: the pipeline then records it failed from its receipt.
   */
  async reopenDropped(): Promise<number> {
    const head = await this.rpc.call(() => this.rpc.provider.getBlockNumber());
    let checkAbove = head - this.rpc.config.reorgDepthMax;
    // A block commits to its parent: while the head the last pass verified is still on the chain,
    // no block at or below it changed, and only transactions mined above it need their block checked.
    const verified = this.verifiedHead;
    if (verified && verified.number <= head) {
      const still = await this.rpc.call(() => this.rpc.provider.getBlock(verified.number));
      if (still?.hash === verified.hash) checkAbove = Math.max(checkAbove, verified.number);
    }
    const mined = await this.db.transaction((tx) =>
      tx.query<MinedRow>(
        `SELECT id, operation, ref, contract_address, call_data, tx_hash, block_number::text, block_hash FROM chain_tx
          WHERE status = 'mined' AND block_hash IS NOT NULL AND block_number > $1 ORDER BY block_number DESC, id DESC LIMIT $2`,
        [checkAbove, CHAIN_TX_REORG_CHECKS_PER_PASS_MAX],
      ),
    );
    const top = await this.rpc.call(() => this.rpc.provider.getBlock(head));
    const blocks = new Map<string, MinedRow[]>();
    for (const row of mined) blocks.set(row.block_number, [...(blocks.get(row.block_number) ?? []), row]);
    let reopened = 0;
    for (const [blockNumber, rows] of blocks) {
      const block = await this.rpc.call(() => this.rpc.provider.getBlock(Number(blockNumber)));
      // A node without that block at its height has no history (restarted without it), which is no reorganisation.
      if (!block && Number(blockNumber) <= head) continue;
      for (const row of rows) {
        if (block?.hash === row.block_hash) continue;
        const txHash = row.tx_hash;
        const receipt = await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash));
        // Moved to another block, unless it ran there before its contract existed: then it is
        // reopened like a dropped one, and the pipeline signs it again once it reaches it.
        if (receipt && receipt.status === 1 && !(await this.ranWithoutContract(row, receipt))) {
          await this.db.transaction((tx) =>
            tx.query(`UPDATE chain_tx SET block_number = $2, block_hash = $3 WHERE id = $1 AND status = 'mined'`, [row.id, receipt.blockNumber, receipt.blockHash]),
          );
          this.logger.warn(
            { event: 'chain.tx.reorg_moved', id: row.id, operation: row.operation, from: blockNumber, to: receipt.blockNumber }, 'reorganisation moved a mined transaction',
          );
          continue;
        }
        if (await this.reopen(row)) reopened += 1;
      }
    }
    // A full page (newest first: a shallow reorganisation is the likely one) left older rows unchecked: verify nothing new then.
    if (top?.hash && mined.length < CHAIN_TX_REORG_CHECKS_PER_PASS_MAX) this.verifiedHead = { number: head, hash: top.hash };
    return reopened;
  }

  private async reopen(row: MinedRow): Promise<boolean> {
    const reopen = this.reopens.get(row.operation);
    if (this.completions.has(row.operation) && !reopen) {
      // Its completion may already have told others about the block: a person decides.
      await this.db.transaction((tx) =>
        tx.query(`UPDATE chain_tx SET block_hash = NULL, last_error = $2 WHERE id = $1 AND status = 'mined'`, [row.id, 'dropped by a reorganisation: not rebroadcast']),
      );
      this.logger.error(
        { event: 'chain.tx.reorg_dropped_unhandled', id: row.id, operation: row.operation, ref: row.ref }, 'reorganisation dropped a mined transaction: needs a person',
      );
      return false;
    }
    const done = await this.db.transaction(async (tx) => {
      const [updated] = await tx.query<{ id: string }>(
        `UPDATE chain_tx SET status = 'signed', block_number = NULL, block_hash = NULL, gas_used = NULL, effective_gas_price = NULL, mined_at = NULL, last_error = $2
          WHERE id = $1 AND status = 'mined' RETURNING id`,
        [row.id, 'dropped by a reorganisation: rebroadcast'],
      );
      if (!updated) return false; // reopened by a concurrent pass
      await reopen?.(tx, { id: row.id, operation: row.operation, ref: row.ref });
      return true;
    });
    if (done) {
      const dropped = { event: 'chain.tx.reorg_dropped', id: row.id, operation: row.operation, ref: row.ref, block: row.block_number };
      this.logger.warn(dropped, 'reorganisation dropped a mined transaction: rebroadcasting');
    }
    return done;
  }

  /** Gas used per operation over every mined transaction. */
  async gasReport(): Promise<{ operation: string; transactions: number; gasUsed: string }[]> {
    return this.db.transaction(async (tx) =>
      (
        await tx.query<{ operation: string; transactions: string; gas_used: string }>(
          `SELECT operation, count(*) AS transactions, sum(gas_used)::text AS gas_used FROM chain_tx WHERE gas_used IS NOT NULL GROUP BY operation ORDER BY operation`,
        )
      ).map((r) => ({ operation: r.operation, transactions: Number(r.transactions), gasUsed: r.gas_used })),
    );
  }
}
