// The execution database: its entities and the ordered list of migrations that build it.
// It holds opaque references and USD amounts only (proved by the schema PII test).
import { InstrumentEntity } from '../market/instrument.entity.js';
import { MarketCandleEntity, MarketJournalEntity, MarketOrderEntity, MarketSnapshotEntity, MarketTradeEntity } from '../market/market-records.entity.js';
import { OmnibusIntentEntity } from '../intake/omnibus-intent.entity.js';
import { ExecutionAuditEntity, ExecutionAuditHeadEntity } from '../audit/execution-audit.entity.js';
import { ApiKeyEntity, MemberEntity, OperatorEntity, RequestNonceEntity } from '../members/member.entity.js';
import { CHAIN_ENTITIES } from '../chain/chain.entity.js';
import { ExecutionAuditBatchEntity } from '../audit-anchoring/execution-audit-batch.entity.js';
import { AGGREGATION_ENTITIES } from '../aggregation/aggregation.entity.js';
import { AllocationEntity } from '../allocation/allocation.entity.js';
import { InstrumentEventEntity, PayoutEntity } from '../resolution/resolution.entity.js';
import { SETTLEMENT_ENTITIES } from '../settlement/settlement.entity.js';
import { ReconciliationBreakEntity, StatementSentEntity } from '../reconciliation/reconciliation.entity.js';
import { Wall1763700000000, WallOutboxCursor1764020000000 } from '@bulwark/shared-contracts/platform';
import { Intake1763700000001 } from './migrations/1763700000001-intake.js';
import { Market1763800000000 } from './migrations/1763800000000-market.js';
import { Members1763800000001 } from './migrations/1763800000001-members.js';
import { Chain1763810000000 } from './migrations/1763810000000-chain.js';
import { ExecutionAuditAnchoring1763815000000 } from './migrations/1763815000000-execution-audit-anchoring.js';
import { PostTrade1763820000000 } from './migrations/1763820000000-post-trade.js';
import { ClobVenue1763825000000 } from './migrations/1763825000000-clob-venue.js';
import { Resolution1763826000000 } from './migrations/1763826000000-resolution.js';
import { Reconciliation1763827000000 } from './migrations/1763827000000-reconciliation.js';
import { IntentCancel1763836000000 } from './migrations/1763836000000-intent-cancel.js';
import { PostTradeAuditAndSettlementHttp1763880000000 } from './migrations/1763880000000-post-trade-audit-and-settlement-http.js';
import { ChainListing1763890000000 } from './migrations/1763890000000-chain-listing.js';
import { ChainResolved1763890000001 } from './migrations/1763890000001-chain-resolved.js';
import { IntentExpiry1763920000000 } from './migrations/1763920000000-intent-expiry.js';
import { IntentWithdrawal1763920000001 } from './migrations/1763920000001-intent-withdrawal.js';
import { ChainReorgAndSettlementOverdue1763930000000 } from './migrations/1763930000000-chain-reorg-and-settlement-overdue.js';

export const EXECUTION_ENTITIES = [
  InstrumentEntity,
  OmnibusIntentEntity,
  MarketJournalEntity,
  MarketSnapshotEntity,
  MarketOrderEntity,
  MarketTradeEntity,
  MarketCandleEntity,
  ExecutionAuditEntity,
  ExecutionAuditHeadEntity,
  MemberEntity,
  OperatorEntity,
  ApiKeyEntity,
  RequestNonceEntity,
  ...CHAIN_ENTITIES,
  ExecutionAuditBatchEntity,
  ...AGGREGATION_ENTITIES,
  AllocationEntity,
  InstrumentEventEntity,
  PayoutEntity,
  ...SETTLEMENT_ENTITIES,
  ReconciliationBreakEntity,
  StatementSentEntity,
];
export const EXECUTION_MIGRATIONS = [
  Wall1763700000000,
  Intake1763700000001,
  Market1763800000000,
  Members1763800000001,
  Chain1763810000000,
  ExecutionAuditAnchoring1763815000000,
  PostTrade1763820000000,
  ClobVenue1763825000000,
  Resolution1763826000000,
  Reconciliation1763827000000,
  IntentCancel1763836000000,
  PostTradeAuditAndSettlementHttp1763880000000,
  ChainListing1763890000000,
  ChainResolved1763890000001,
  IntentExpiry1763920000000,
  IntentWithdrawal1763920000001,
  ChainReorgAndSettlementOverdue1763930000000,
  WallOutboxCursor1764020000000,
];
