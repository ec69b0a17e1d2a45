import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller.js';
import { LedgerService } from './ledger.service.js';
import { ReservationExpiryScheduler } from './reservation-expiry.scheduler.js';

/** The double-entry ledger and the expiry of its reservations; AuditService and TenantScope come from global modules. */
@Module({ controllers: [LedgerController], providers: [LedgerService, ReservationExpiryScheduler], exports: [LedgerService, ReservationExpiryScheduler] })
export class LedgerModule {}
