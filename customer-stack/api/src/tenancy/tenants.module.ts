import { Global, Module } from '@nestjs/common';
import { RequestTransaction } from './request-transaction.js';
import { TenantScope } from './tenant-scope.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

/** Tenants and the tenant scope of every transaction, available to every module. */
@Global()
@Module({ controllers: [TenantsController], providers: [RequestTransaction, TenantScope, TenantsService], exports: [RequestTransaction, TenantScope, TenantsService] })
export class TenantsModule {}
