import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service.js';

/** The audit chain, available to every module (each records its own state changes). */
@Global()
@Module({ providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
