// The durable transaction pipeline. A transaction is first a row (in the caller's database
// transaction), then it is signed and the signed bytes are stored before broadcast, then it is
// mined. After a crash or a chain outage the same bytes are rebroadcast: one nonce, one effect.
// Each signer's rows are handled strictly in order, one in flight at a time.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transaction, isCallException, type TransactionReceipt } from 'ethers';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { ChainRpc, ChainUnavailableError } from './chain-rpc.js';

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
  raw_tx: string | null;
  tx_hash: string | null;
  attempts: number;
}

/** Signing attempts before a transaction is failed for a human to look at. */
export const CHAIN_TX_ATTEMPTS_MAX = 20;
/** Transactions one signer pushes per pass, so one busy signer cannot starve the others. */
export const CHAIN_TX_PER_PASS_MAX = 50;
/** Gas limit headroom over the estimate, in percent. */
const GAS_HEADROOM_PCT = 25n;

@Injectable()
export class ChainTxService {
  private readonly logger = new Logger(ChainTxService.name);
  private readonly completions = new Map<string, TxCompletion>();
  private running: Promise<void> | null = null;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(ChainRpc) private readonly rpc: ChainRpc,
  ) {}

  onComplete(operation: string, completion: TxCompletion): void {
    assert(!this.completions.has(operation), `one completion per operation (${operation})`);
    this.completions.set(operation, completion);
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
          `SELECT id, operation, ref, signer_key_index, signer_address, contract_address, call_data, value_wei, status, raw_tx, tx_hash, attempts
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
    return { ...row, status: 'signed', raw_tx: rawTx, tx_hash: txHash, attempts: row.attempts + 1 };
  }

  /** True when the row reached a final state. */
  private async broadcastAndSettle(row: TxRow): Promise<boolean> {
    assert(row.raw_tx !== null && row.tx_hash !== null, 'a signed row has its bytes and hash');
    const txHash = row.tx_hash;
    let receipt = await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash));
    if (!receipt) {
      const rawTx = row.raw_tx;
      try {
        await this.rpc.call(() => this.rpc.provider.broadcastTransaction(rawTx));
      } catch (error) {
        if (error instanceof ChainUnavailableError && !/nonce|already known|replacement/i.test(error.message)) throw error;
        // The nonce is used. If not by this transaction, sign again with a fresh one.
        receipt = await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash));
        if (!receipt) {
          this.logger.warn({ event: 'chain.tx.resign', id: row.id, error: error instanceof Error ? error.message : String(error) }, 'nonce taken: signing again');
          await this.db.transaction((tx) => tx.query(`UPDATE chain_tx SET status = 'pending', last_error = $2 WHERE id = $1`, [row.id, 'nonce taken']));
          return true;
        }
      }
      receipt ??= await this.rpc.call(() => this.rpc.provider.getTransactionReceipt(txHash));
    }
    if (!receipt) return false;
    const mined = receipt;
    const head = await this.rpc.call(() => this.rpc.provider.getBlockNumber());
    if (head - mined.blockNumber + 1 < Math.max(1, this.rpc.config.confirmations)) return false;
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
        `UPDATE chain_tx SET status = $2, tx_hash = $3, block_number = $4, gas_used = $5, effective_gas_price = $6, last_error = $7,
                mined_at = CASE WHEN $4::bigint IS NULL THEN NULL ELSE clock_timestamp() END
          WHERE id = $1 AND status IN ('pending', 'signed') RETURNING id`,
        [row.id, outcome.status, outcome.txHash, outcome.blockNumber, receipt ? String(receipt.gasUsed) : null, receipt ? String(receipt.gasPrice) : null, outcome.error],
      );
      if (updated.length === 0) return; // another pass finished it first
      if (outcome.status === 'failed') {
        this.logger.error({ event: 'chain.tx.failed', id: row.id, operation: row.operation, ref: row.ref, error: outcome.error }, 'chain transaction failed');
      }
      await this.completions.get(row.operation)?.(tx, outcome);
    });
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
