// The member API: members, operators, their keys and signed requests, limits and pre-trade
// risk, REST and the member WebSocket (own order events in sequence, order entry). PRE_TRADE_CHECKS is the seam for further pre-trade compliance checks: with a chain, the
// on-chain transfer simulation (ChainModule is global, so ChainService is there when configured).
import { Module } from '@nestjs/common';
import { ChainService } from '../chain/chain.service.js';
import { ChainPreTradeCheck } from './chain-pre-trade.check.js';
import { ExecutionAuditModule } from '../audit/execution-audit.service.js';
import { MarketModule } from '../market/market.module.js';
import { MemberStreamGateway } from './member-stream.gateway.js';
import { MemberStreamService } from './member-stream.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { OperatorController } from './operator.controller.js';
import { PRE_TRADE_CHECKS, type PreTradeCheck } from './pre-trade.js';
import { SignedRequestGuard } from './signed-request.guard.js';

@Module({
  imports: [MarketModule, ExecutionAuditModule],
  providers: [
    MembersService,
    MemberStreamService,
    MemberStreamGateway,
    SignedRequestGuard,
    {
      provide: PRE_TRADE_CHECKS,
      useFactory: (chain: ChainService | undefined): PreTradeCheck[] => (chain ? [new ChainPreTradeCheck(chain)] : []),
      inject: [{ token: ChainService, optional: true }],
    },
  ],
  controllers: [MembersController, OperatorController],
  exports: [MembersService],
})
export class MembersModule {}
