import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** A white-label tenant: its brand and the rules its customers live under. Tenant configuration, not customer data. */
@Entity({ name: 'tenant' })
@Check('tenant_slug', `"slug" ~ '^[a-z0-9][a-z0-9-]{1,30}$'`)
@Check('tenant_colours', `"brand_primary_colour" ~ '^#[0-9a-f]{6}$' AND "brand_accent_colour" ~ '^#[0-9a-f]{6}$'`)
@Check('tenant_minimum_age', `"minimum_age" BETWEEN 16 AND 99`)
@Check('tenant_lists', `cardinality("residency_countries") >= 1 AND cardinality("currencies") >= 1`)
export class TenantEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ name: 'brand_name', type: 'text' })
  brandName!: string;

  @Column({ name: 'brand_primary_colour', type: 'text' })
  brandPrimaryColour!: string;

  @Column({ name: 'brand_accent_colour', type: 'text' })
  brandAccentColour!: string;

  /** ISO 3166-1 alpha-2 codes of the countries a customer may reside in. */
  @Column({ name: 'residency_countries', type: 'text', array: true })
  residencyCountries!: string[];

  @Column({ name: 'minimum_age', type: 'smallint' })
  minimumAge!: number;

  /** ISO 4217 codes: the local currency first, then the others the tenant handles. */
  @Column({ type: 'text', array: true })
  currencies!: string[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
