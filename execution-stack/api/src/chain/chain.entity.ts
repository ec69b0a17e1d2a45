// The chain module's tables: what it deployed, which wallets it registered under which opaque
// reference, the durable settlement queue, the anchors it wrote, gas per operation, and the
// events it indexed (with the block hashes that let it notice a reorganisation).
import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A platform-wide contract (the claim issuer, one audit anchor per log), deployed once. */
@Entity({ name: 'chain_contract' })
export class ChainContractEntity {
  /** claim_issuer, audit_anchor:customer, audit_anchor:execution. */
  @PrimaryColumn({ type: 'text' })
  purpose!: string;

  @Column({ name: 'chain_id', type: 'bigint' })
  chainId!: string;

  @Column({ name: 'contract_address', type: 'text' })
  contractAddress!: string;

  @Column({ name: 'deployed_at', type: 'timestamptz' })
  deployedAt!: Date;
}

/** The ERC-3643 suite of one instrument. */
@Entity({ name: 'chain_instrument' })
@Unique('chain_instrument_token', ['tokenAddress'])
export class ChainInstrumentEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ name: 'chain_id', type: 'bigint' })
  chainId!: string;

  @Column({ name: 'token_address', type: 'text' })
  tokenAddress!: string;

  /** Every contract of the suite (registry, storage, compliance, modules) by role. */
  @Column({ type: 'jsonb' })
  contracts!: Record<string, unknown>;

  @Column({ type: 'smallint' })
  decimals!: number;

  @Column({ name: 'deployed_at', type: 'timestamptz' })
  deployedAt!: Date;

  /** When the instrument was resolved: its later settlement legs burn the deliverer's units instead of moving them. */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}

/** A custodial wallet under an opaque reference (an omnibus tenantRef or a member id). */
@Entity({ name: 'chain_wallet' })
@Unique('chain_wallet_key_index', ['keyIndex'])
@Unique('chain_wallet_address', ['walletAddress'])
@Check('chain_wallet_kind', `"kind" IN ('omnibus', 'member', 'house')`)
export class ChainWalletEntity {
  @PrimaryColumn({ name: 'wallet_ref', type: 'uuid' })
  walletRef!: string;

  @Column({ type: 'text' })
  kind!: 'omnibus' | 'member' | 'house';

  @Column({ name: 'key_index', type: 'integer' })
  keyIndex!: number;

  @Column({ name: 'wallet_address', type: 'text' })
  walletAddress!: string;

  /** The ONCHAINID-style Identity contract holding the wallet's claims; null until the worker has deployed it. */
  @Column({ name: 'identity_contract', type: 'text', nullable: true })
  identityContract!: string | null;

  /** ISO 3166-1 numeric jurisdiction of the account (not of a person). */
  @Column({ type: 'smallint' })
  country!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * A listed instrument waiting for (or done with) its suite: written in the listing's own
 * transaction, deployed by the worker. Until then the pre-trade check refuses its orders.
 */
@Entity({ name: 'chain_listing' })
@Check('chain_listing_status', `"status" IN ('queued', 'deployed')`)
export class ChainListingEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  symbol!: string;

  @Column({ type: 'text' })
  status!: 'queued' | 'deployed';

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'deployed_at', type: 'timestamptz', nullable: true })
  deployedAt!: Date | null;
}

/** Which instrument registries a wallet is registered in. */
@Entity({ name: 'chain_registration' })
export class ChainRegistrationEntity {
  @PrimaryColumn({ name: 'wallet_ref', type: 'uuid' })
  walletRef!: string;

  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;
}

/**
 * One transaction the module sends: settlement batches, mints, burns, freezes, anchors. It is
 * signed and stored before it is broadcast, so a retry after a crash or an outage rebroadcasts
 * the same bytes (same nonce): it can land once at most.
 */
@Entity({ name: 'chain_tx' })
@Check('chain_tx_status', `"status" IN ('pending', 'signed', 'mined', 'failed')`)
@Index('chain_tx_open', ['status', 'id'])
export class ChainTxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** e.g. settlement, mint, burn, freeze, anchor. */
  @Column({ type: 'text' })
  operation!: string;

  /** The business reference (a settlement cycle, an instrument, an anchor batch). */
  @Column({ type: 'text' })
  ref!: string;

  /** The custodial wallet that signs, or null for the operator. */
  @Column({ name: 'signer_key_index', type: 'integer', nullable: true })
  signerKeyIndex!: number | null;

  @Column({ name: 'signer_address', type: 'text' })
  signerAddress!: string;

  @Column({ name: 'contract_address', type: 'text' })
  contractAddress!: string;

  @Column({ name: 'call_data', type: 'text' })
  callData!: string;

  @Column({ name: 'value_wei', type: 'numeric', precision: 78, scale: 0, default: 0 })
  valueWei!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'signed' | 'mined' | 'failed';

  @Column({ type: 'bigint', nullable: true })
  nonce!: string | null;

  @Column({ name: 'raw_tx', type: 'text', nullable: true })
  rawTx!: string | null;

  @Column({ name: 'tx_hash', type: 'text', nullable: true })
  txHash!: string | null;

  @Column({ name: 'block_number', type: 'bigint', nullable: true })
  blockNumber!: string | null;

  /** The hash of the block that mined it: when the chain no longer has that block, a reorganisation dropped or moved it. */
  @Column({ name: 'block_hash', type: 'text', nullable: true })
  blockHash!: string | null;

  @Column({ name: 'gas_used', type: 'numeric', precision: 78, scale: 0, nullable: true })
  gasUsed!: string | null;

  @Column({ name: 'effective_gas_price', type: 'numeric', precision: 78, scale: 0, nullable: true })
  effectiveGasPrice!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'mined_at', type: 'timestamptz', nullable: true })
  minedAt!: Date | null;
}

/** One settlement leg: a token movement between two registered wallets, queued durably. */
@Entity({ name: 'chain_settlement' })
@Check('chain_settlement_status', `"status" IN ('queued', 'batched', 'settled', 'failed')`)
@Check('chain_settlement_positive', `"quantity" > 0`)
@Index('chain_settlement_queue', ['status', 'instrumentId', 'fromRef'])
@Index('chain_settlement_batch', ['batchRef'])
export class ChainSettlementEntity {
  @PrimaryColumn({ name: 'settlement_id', type: 'uuid' })
  settlementId!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ name: 'from_ref', type: 'uuid' })
  fromRef!: string;

  @Column({ name: 'to_ref', type: 'uuid' })
  toRef!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  /** The settlement batch the leg settles (an opaque reference), so the batch can tell when all its legs are on chain. */
  @Column({ name: 'batch_ref', type: 'uuid', nullable: true })
  batchRef!: string | null;

  @Column({ type: 'text' })
  status!: 'queued' | 'batched' | 'settled' | 'failed';

  @Column({ name: 'chain_tx_id', type: 'bigint', nullable: true })
  chainTxId!: string | null;

  @Column({ name: 'queued_at', type: 'timestamptz' })
  queuedAt!: Date;

  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt!: Date | null;

  /** The block whose indexed Transfer event confirms the leg (cleared again if a reorganisation removes it). */
  @Column({ name: 'confirmed_block', type: 'bigint', nullable: true })
  confirmedBlock!: string | null;
}

/** A Merkle root to anchor for one audit log (the customer stack's or the execution stack's own). */
@Entity({ name: 'chain_anchor' })
@Check('chain_anchor_log', `"log" IN ('customer', 'execution')`)
@Check('chain_anchor_status', `"status" IN ('queued', 'anchored')`)
export class ChainAnchorEntity {
  @PrimaryColumn({ type: 'text' })
  log!: 'customer' | 'execution';

  @PrimaryColumn({ name: 'batch_id', type: 'bigint' })
  batchId!: string;

  @Column({ name: 'merkle_root', type: 'char', length: 64 })
  merkleRoot!: string;

  @Column({ name: 'entry_count', type: 'integer' })
  entryCount!: number;

  @Column({ name: 'first_seq', type: 'bigint' })
  firstSeq!: string;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  @Column({ type: 'text' })
  status!: 'queued' | 'anchored';

  @Column({ name: 'chain_tx_id', type: 'bigint', nullable: true })
  chainTxId!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;
}

/** A block the indexer has consumed, kept to notice when the chain reorganises under it. */
@Entity({ name: 'chain_block' })
export class ChainBlockEntity {
  @PrimaryColumn({ name: 'block_number', type: 'bigint' })
  blockNumber!: string;

  @Column({ name: 'block_hash', type: 'text' })
  blockHash!: string;
}

/** A decoded event of a contract the module deployed, once it had enough confirmations. */
@Entity({ name: 'chain_event' })
@Index('chain_event_kind', ['kind', 'blockNumber'])
export class ChainEventEntity {
  @PrimaryColumn({ name: 'block_number', type: 'bigint' })
  blockNumber!: string;

  @PrimaryColumn({ name: 'log_index', type: 'integer' })
  logIndex!: number;

  @Column({ name: 'block_hash', type: 'text' })
  blockHash!: string;

  @Column({ name: 'tx_hash', type: 'text' })
  txHash!: string;

  @Column({ name: 'contract_address', type: 'text' })
  contractAddress!: string;

  /** The event: Transfer, AddressFrozen, TokensFrozen, TokensUnfrozen, Paused, Unpaused, RootAnchored. */
  @Column({ type: 'text' })
  kind!: string;

  /** Decoded arguments; integers as decimal strings. */
  @Column({ type: 'jsonb' })
  args!: Record<string, string | boolean>;
}

export const CHAIN_ENTITIES = [
  ChainContractEntity, ChainInstrumentEntity, ChainListingEntity, ChainWalletEntity, ChainRegistrationEntity, ChainTxEntity, ChainSettlementEntity,
  ChainAnchorEntity, ChainBlockEntity, ChainEventEntity,
];
