import { Module } from '@nestjs/common';
import { AmlModule } from '../aml/aml.module.js';
import { KycModule } from '../kyc/kyc.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

/** Order intents, their reservations and the booking of the execution stack's answers. */
@Module({ imports: [LedgerModule, KycModule, AmlModule], controllers: [OrdersController], providers: [OrdersService], exports: [OrdersService] })
export class OrdersModule {}
