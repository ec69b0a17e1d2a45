// The chain's state for operators (PS256-signed, read only): the platform contracts and each
// instrument's ERC-3643 suite, the node's head against the last block the indexer consumed, the
// transaction queue, and the audit roots anchored per log. Addresses and hashes only. With them,
// the breaker and every queue the chain module drains (what the chain-outage runbook reads).
import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { KEY_HEADER, SIGNATURE_HEADER } from '../members/request-signature.js';
import { PrincipalKind, SignedRequestGuard } from '../members/signed-request.guard.js';
import { ChainRpc } from './chain-rpc.js';
import { ChainService } from './chain.service.js';
import type { ChainStatus } from './chain-status.views.js';

/** Anchored batches shown per audit log, newest first. */
export const CHAIN_STATUS_ANCHORS_MAX = 20;
/** Instrument suites one status lists. */
export const CHAIN_STATUS_INSTRUMENTS_MAX = 500;

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator/chain')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class ChainStatusController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(ChainRpc) private readonly rpc: ChainRpc,
    @Inject(ChainService) private readonly chain: ChainService,
  ) {}

  @Get('status')
  @ApiOkResponse({ description: 'Contracts, the head and indexed blocks, the transaction queue and the latest anchored roots' })
  async status(): Promise<ChainStatus> {
    // The stored state answers even when the node does not: the head is then reported unknown.
    const headBlock = await this.rpc.call(() => this.rpc.provider.getBlockNumber()).catch(() => null);
    const queues = await this.chain.queues();
    return this.db.transaction(async (tx) => {
      const contracts = await tx.query<{ purpose: string; contract_address: string; deployed_at: Date }>(
        `SELECT purpose, contract_address, deployed_at FROM chain_contract ORDER BY purpose`,
      );
      const instruments = await tx.query<{ instrument_id: string; token_address: string; contracts: Record<string, unknown>; deployed_at: Date }>(
        `SELECT instrument_id, token_address, contracts, deployed_at FROM chain_instrument ORDER BY deployed_at LIMIT $1`, [CHAIN_STATUS_INSTRUMENTS_MAX],
      );
      const [indexed] = await tx.query<{ n: string | null }>(`SELECT max(block_number)::text AS n FROM chain_block`);
      const queue = await tx.query<{ status: 'pending' | 'signed' | 'mined' | 'failed'; n: number }>(`SELECT status, count(*)::int AS n FROM chain_tx GROUP BY status`);
      const [settlements] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM chain_settlement WHERE status = 'queued'`);
      const anchors = await tx.query<{
        log: string; batch_id: string; merkle_root: string; entry_count: number; first_seq: string; last_seq: string; status: string;
        tx_hash: string | null; block_number: string | null; requested_at: Date;
      }>(
        `SELECT a.log, a.batch_id, a.merkle_root, a.entry_count, a.first_seq, a.last_seq, a.status, t.tx_hash, t.block_number, a.requested_at
           FROM (SELECT *, row_number() OVER (PARTITION BY log ORDER BY batch_id DESC) AS n FROM chain_anchor) a
           LEFT JOIN chain_tx t ON t.id = a.chain_tx_id
          WHERE a.n <= $1 ORDER BY a.log, a.batch_id DESC`,
        [CHAIN_STATUS_ANCHORS_MAX],
      );
      const transactions = { pending: 0, signed: 0, mined: 0, failed: 0 };
      for (const row of queue) transactions[row.status] = row.n;
      return {
        chainId: String(this.rpc.config.chainId),
        headBlock,
        rpcAvailable: this.rpc.available,
        confirmations: this.rpc.config.confirmations,
        indexedBlock: indexed?.n ?? null,
        contracts: contracts.map((c) => ({ purpose: c.purpose, address: c.contract_address, deployedAt: c.deployed_at.toISOString() })),
        instruments: instruments.map((i) => ({ instrumentId: i.instrument_id, tokenAddress: i.token_address, contracts: i.contracts, deployedAt: i.deployed_at.toISOString() })),
        transactions,
        settlementsQueued: settlements?.n ?? 0,
        anchors: anchors.map((a) => ({
          log: a.log, batchId: a.batch_id, merkleRoot: a.merkle_root, entryCount: a.entry_count, firstSeq: a.first_seq, lastSeq: a.last_seq, status: a.status,
          txHash: a.tx_hash, blockNumber: a.block_number, requestedAt: a.requested_at.toISOString(),
        })),
        queues,
      };
    });
  }
}
