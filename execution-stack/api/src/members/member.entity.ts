// Members of the exchange (market makers, one omnibus per customer-stack tenant) and the
// operators who run it: opaque ids and public keys only, no personal data of any kind.
import { Check, Column, Entity, Generated, Index, PrimaryColumn, Unique } from 'typeorm';

export const MEMBER_KINDS = ['market_maker', 'omnibus'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];
export const PRINCIPAL_STATUSES = ['active', 'suspended'] as const;
export type PrincipalStatus = (typeof PRINCIPAL_STATUSES)[number];

@Entity({ name: 'member' })
@Unique('member_owner_no', ['ownerNo'])
@Unique('member_tenant_ref', ['tenantRef'])
@Check('member_kind', `"kind" IN ('market_maker', 'omnibus')`)
@Check('member_status', `"status" IN ('active', 'suspended')`)
@Check('member_omnibus_tenant', `("kind" = 'omnibus') = ("tenant_ref" IS NOT NULL)`)
@Check('member_limits', `"order_quantity_max" > 0 AND "order_notional_max" > 0 AND "open_orders_max" > 0 AND "messages_per_second" > 0`)
export class MemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The member's number in the matching engine (its self-trade identity). */
  @Column({ name: 'owner_no', type: 'integer' })
  @Generated('increment')
  ownerNo!: number;

  @Column({ type: 'text' })
  kind!: MemberKind;

  /** For an omnibus member: the customer-stack tenant it trades for (an opaque reference). */
  @Column({ name: 'tenant_ref', type: 'uuid', nullable: true })
  tenantRef!: string | null;

  @Column({ type: 'text' })
  status!: PrincipalStatus;

  @Column({ name: 'order_quantity_max', type: 'numeric', precision: 38, scale: 18 })
  orderQuantityMax!: string;

  /** Price × quantity of one order, in USD. */
  @Column({ name: 'order_notional_max', type: 'numeric', precision: 38, scale: 18 })
  orderNotionalMax!: string;

  @Column({ name: 'open_orders_max', type: 'integer' })
  openOrdersMax!: number;

  @Column({ name: 'messages_per_second', type: 'integer' })
  messagesPerSecond!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'operator' })
@Unique('operator_handle', ['handle'])
@Check('operator_status', `"status" IN ('active', 'suspended')`)
@Check('operator_handle_opaque', `"handle" ~ '^op-[a-z0-9-]{2,40}$'`)
export class OperatorEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** An opaque handle such as `op-7f3a`: never a person's name. */
  @Column({ type: 'text' })
  handle!: string;

  @Column({ type: 'text' })
  status!: PrincipalStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A PS256 public key (JWK) of a member or an operator. */
@Entity({ name: 'api_key' })
@Index('api_key_principal', ['principalKind', 'principalId'])
@Check('api_key_principal_kind', `"principal_kind" IN ('member', 'operator')`)
@Check('api_key_status', `"status" IN ('active', 'revoked')`)
export class ApiKeyEntity {
  @PrimaryColumn({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ name: 'principal_kind', type: 'text' })
  principalKind!: 'member' | 'operator';

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId!: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk!: unknown;

  @Column({ type: 'text' })
  status!: 'active' | 'revoked';

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Nonces of signed requests seen inside the timestamp window: a replay finds its nonce here. */
@Entity({ name: 'request_nonce' })
@Index('request_nonce_seen', ['seenAt'])
export class RequestNonceEntity {
  @PrimaryColumn({ name: 'key_id', type: 'text' })
  keyId!: string;

  @PrimaryColumn({ type: 'text' })
  nonce!: string;

  @Column({ name: 'seen_at', type: 'timestamptz' })
  seenAt!: Date;
}
