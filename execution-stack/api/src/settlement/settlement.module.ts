// The settlement domain: the batcher, its operator routes, and the hand-over of an approved
// batch's token movements to the chain module (ChainModule is global when a chain is
// configured; without one nothing is queued and the approval says so).
import { Module } from '@nestjs/common';
import { ExecutionAuditModule } from '../audit/execution-audit.service.js';
import { ChainService } from '../chain/chain.service.js';
import { MembersModule } from '../members/members.module.js';
import { SettlementController } from './settlement.controller.js';
import { SettlementService } from './settlement.service.js';
import { TOKEN_SETTLEMENT_QUEUE, type TokenSettlementQueue } from './settlement-token-legs.js';

@Module({
  imports: [ExecutionAuditModule, MembersModule],
  providers: [
    SettlementService,
    {
      provide: TOKEN_SETTLEMENT_QUEUE,
      // A plain adapter, not the service itself: Nest would run the service's lifecycle hooks again for this token.
      useFactory: (chain: ChainService | undefined): TokenSettlementQueue | null => (chain ? { queueSettlements: (tx, legs) => chain.queueSettlements(tx, legs) } : null),
      inject: [{ token: ChainService, optional: true }],
    },
  ],
  controllers: [SettlementController],
  exports: [SettlementService],
})
export class SettlementModule {}
