// Tenants: their settings for everyone who needs them (KYC rules, limits, branding), and the
// audited changes a platform admin makes to them.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { TenancyError } from './tenancy.errors.js';
import { TenantScope, assertTenantId, isUuid } from './tenant-scope.js';
import { TenantSettingsInput, type TenantSettings } from './tenant-settings.js';
import { TenantsRepository } from './tenants.repository.js';

export type TenantSummary = Omit<TenantSettings, 'tierLimits'>;
/** What anyone may read about a tenant before signing in: how its UIs look, nothing else. */
export type TenantBrand = TenantSettings['brand'];

@Injectable()
export class TenantsService {
  private readonly repository = new TenantsRepository();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /**
   * A tenant's settings. With `tx`, reads inside the caller's transaction and sets the tenant on
   * it (as every read of tenant data must); without, in a transaction of its own.
   */
  async get(tenantId: string, tx?: SqlTx): Promise<TenantSettings> {
    assertTenantId(tenantId);
    const read = async (t: SqlTx): Promise<TenantSettings> => {
      const tenant = await this.repository.find(t, tenantId);
      if (!tenant) throw new TenancyError('tenant_not_found');
      await this.scope.enter(t, tenantId);
      const tierLimits = await this.repository.tierLimits(t);
      assert(tierLimits.length === 4, `tenant ${tenantId} has limits for tiers 0-3`);
      return { ...tenant, tierLimits };
    };
    return tx ? read(tx) : this.db.transaction(read);
  }

  /** The tenant's public brand (name and colours) for its UIs' sign-in and registration screens. */
  async brand(tenantId: string): Promise<TenantBrand> {
    assertTenantId(tenantId);
    const tenant = await this.db.transaction((tx) => this.repository.find(tx, tenantId));
    if (!tenant) throw new TenancyError('tenant_not_found');
    const { name, primaryColour, accentColour } = tenant.brand;
    return { name, primaryColour, accentColour };
  }

  async list(): Promise<TenantSummary[]> {
    return this.db.transaction((tx) => this.repository.list(tx));
  }

  async create(who: AuditActor, raw: unknown): Promise<TenantSettings> {
    const input = parseSettings(raw);
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      if (!(await this.repository.insert(tx, id, input))) throw new TenancyError('tenant_slug_taken');
      await this.scope.enter(tx, id);
      await this.repository.upsertTierLimits(tx, id, input.tierLimits);
      await this.audit.record(tx, { tenantId: id, ...who, action: 'tenancy.tenant.created', resource: `tenant:${id}`, diff: { after: settingsDiff(input) } });
      return this.get(id, tx);
    });
  }

  async update(who: AuditActor, tenantId: string, raw: unknown): Promise<TenantSettings> {
    assertTenantId(tenantId);
    const input = parseSettings(raw);
    return this.db.transaction(async (tx) => {
      const before = await this.get(tenantId, tx);
      const slugOwner = (await this.repository.list(tx)).find((t) => t.slug === input.slug);
      if (slugOwner && slugOwner.id !== tenantId) throw new TenancyError('tenant_slug_taken');
      await this.repository.update(tx, tenantId, input);
      await this.repository.upsertTierLimits(tx, tenantId, input.tierLimits);
      await this.audit.record(tx, {
        tenantId,
        ...who,
        action: 'tenancy.tenant.updated',
        resource: `tenant:${tenantId}`,
        diff: { before: settingsDiff(before), after: settingsDiff(input) },
      });
      return this.get(tenantId, tx);
    });
  }

  /**
   * Registers an investor's opaque account reference under its tenant in the caller's
   * transaction (auth calls it at registration), so wall messages carrying only the reference
   * find their tenant. A reference is registered once and never moves. Sets the tenant on `tx`.
   */
  async registerAccount(tx: SqlTx, who: AuditActor, tenantId: string, accountRef: string): Promise<void> {
    assert(isUuid(accountRef), 'an account reference is a lowercase UUID');
    await this.scope.enter(tx, tenantId);
    if (!(await this.repository.registerAccount(tx, tenantId, accountRef))) throw new TenancyError('account_already_registered');
    await this.audit.record(tx, { tenantId, ...who, action: 'tenancy.account.registered', resource: `account:${accountRef}` });
  }
}

function parseSettings(raw: unknown): TenantSettingsInput {
  const parsed = TenantSettingsInput.safeParse(raw);
  if (!parsed.success) {
    throw new TenancyError('invalid_tenant_settings', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** The settings as an audit diff (configuration only, no personal data). */
function settingsDiff(settings: TenantSettingsInput | TenantSettings): Record<string, unknown> {
  return {
    slug: settings.slug,
    brandName: settings.brand.name,
    primaryColour: settings.brand.primaryColour,
    accentColour: settings.brand.accentColour,
    residencyCountries: [...settings.residencyCountries],
    minimumAge: settings.minimumAge,
    currencies: [...settings.currencies],
    tierLimits: settings.tierLimits.map((l) => ({ ...l })),
  };
}
