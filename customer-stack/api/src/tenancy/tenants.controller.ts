import { Body, Controller, Get, Header, Inject, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { auditActorOf } from '../audit/audit-actor.js';
import { CurrentPrincipal, Permissions, Public, type Principal } from '../auth/permissions.decorator.js';
import type { TenantSettings } from './tenant-settings.js';
import { TenantsService, type TenantBrand } from './tenants.service.js';

@ApiTags('tenants')
@Controller('tenants')
export class TenantsController {
  constructor(@Inject(TenantsService) private readonly tenants: TenantsService) {}

  @Get('current')
  @Permissions('tenants:read')
  @ApiOperation({ summary: "The caller's tenant: brand, residency countries, minimum age, currencies, tier limits" })
  current(@CurrentPrincipal() principal: Principal): Promise<TenantSettings> {
    return this.tenants.get(principal.tenantId);
  }

  /** Public: the investor app brands its sign-in screen before anyone is signed in. */
  @Public()
  @Get(':id/brand')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "A tenant's public brand: its name and two colours, nothing else (no sign-in needed)" })
  brand(@Param('id') id: string): Promise<TenantBrand> {
    return this.tenants.brand(id);
  }

  @Put('current')
  @Permissions('tenants:manage')
  @ApiOperation({ summary: "Replace the caller's tenant settings (audited)" })
  update(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<TenantSettings> {
    return this.tenants.update(auditActorOf(principal, 'tenants:manage'), principal.tenantId, body);
  }
}
