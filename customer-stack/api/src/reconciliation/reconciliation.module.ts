import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationService } from './reconciliation.service.js';

/** Statements from the execution stack against the ledger; breaks for people to decide. */
@Module({ imports: [LedgerModule, OrdersModule], controllers: [ReconciliationController], providers: [ReconciliationService] })
export class ReconciliationModule {}
