import { Global, Module } from '@nestjs/common';
import { TenantScope } from './tenant-scope.js';
import { TenantsService } from './tenants.service.js';

/** Tenants and the tenant scope of every transaction, available to every module. */
@Global()
@Module({ providers: [TenantScope, TenantsService], exports: [TenantScope, TenantsService] })
export class TenantsModule {}
