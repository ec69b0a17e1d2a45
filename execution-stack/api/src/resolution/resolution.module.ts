// The resolution domain: event resolutions and distributions, their payouts (payout.v1) and the
// burn of resolved tokens on chain.
import { Module } from '@nestjs/common';
import { AggregationModule } from '../aggregation/aggregation.service.js';
import { AllocationModule } from '../allocation/allocation.service.js';
import { MarketModule } from '../market/market.module.js';
import { MembersModule } from '../members/members.module.js';
import { ExecutionAuditModule } from '../audit/execution-audit.service.js';
import { ResolutionController } from './resolution.controller.js';
import { ResolutionService } from './resolution.service.js';

@Module({
  imports: [MarketModule, MembersModule, AllocationModule, AggregationModule, ExecutionAuditModule],
  providers: [ResolutionService],
  controllers: [ResolutionController],
  exports: [ResolutionService],
})
export class ResolutionModule {}
