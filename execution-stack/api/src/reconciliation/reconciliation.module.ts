// The execution side of reconciliation: breaks between the book, the omnibus orders, the
// allocations and the chain, and the statements the customer stack reconciles its ledger with.
import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module.js';
import { ExecutionAuditModule } from '../audit/execution-audit.service.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationService, ReconciliationWorker } from './reconciliation.service.js';

@Module({
  imports: [MembersModule, ExecutionAuditModule],
  providers: [ReconciliationService, ReconciliationWorker],
  controllers: [ReconciliationController],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
