// Members and operators: registration and keys, the signed-request check every call passes,
// per-member limits and pre-trade risk, orders through the market, and the operator actions —
// each operator action recorded in the audit chain in the same transaction as its effect.
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { JWK } from 'jose';
import { z } from 'zod';
import { OrderType, Side, StpMode, TimeInForce, priceToTicks, quantityToLots } from '@bulwark/engine';
import { PositiveDecimal, assert, decimal } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { ExecutionAuditService } from '../audit/execution-audit.service.js';
import { ChainService } from '../chain/chain.service.js';
import { EXECUTION_CONFIG, type ExecutionConfig } from '../config/execution-config.js';
import { MARKET_CLOCK, MarketService } from '../market/market.service.js';
import type { MarketClock } from '../market/market-desk.js';
import type { MarketResult } from '../market/market-book.js';
import { NewInstrument, type Instrument } from '../market/instruments.service.js';
import { MEMBER_KINDS, type MemberKind, type PrincipalStatus } from './member.entity.js';
import { marketRefusal, memberError, MemberErrorCode } from './member.errors.js';
import { MEMBER_STREAM_CLOSE_SUSPENDED, MemberStreamService } from './member-stream.js';
import { PRE_TRADE_CHECKS, RateLimiter, riskRefusal, type PreTradeCheck } from './pre-trade.js';
import { importPublicKey, verifySignedRequest, type SignatureRefusal } from './request-signature.js';

/** Operators are few and deliberate: a fixed message rate. */
export const OPERATOR_MESSAGES_PER_SECOND = 50;
/** Imported public keys kept in memory (keys are immutable; their status is read per request). */
export const PUBLIC_KEYS_CACHED_MAX = 10_000;
export const NONCE_PRUNE_EVERY_MS = 60_000;
/** Members one listing returns (the exchange has few: market makers and one omnibus per tenant). */
export const MEMBERS_LISTED_MAX = 1_000;

const Limits = {
  orderQuantityMax: PositiveDecimal,
  orderNotionalMax: PositiveDecimal,
  openOrdersMax: z.number().int().min(1).max(100_000),
  messagesPerSecond: z.number().int().min(1).max(100_000),
};
const RsaPublicJwk = z.looseObject({ kty: z.literal('RSA'), n: z.string().min(300).max(2_000), e: z.string().min(1).max(16) });
/** An RSA public key as jose exports it (typed as jose's JWK so callers pass exportJWK's result as is). */
const PublicJwk = z.custom<JWK>((value) => RsaPublicJwk.safeParse(value).success, 'an RSA public key (JWK) of 2048 to 8192 bits');

export const NewMember = z.strictObject({
  kind: z.enum(MEMBER_KINDS),
  tenantRef: z.uuid().optional(),
  ...Limits,
  publicJwk: PublicJwk,
});
export type NewMember = z.input<typeof NewMember>;

/** An operator's change of a member's limits: all four, each within the bounds a new member has. */
export const MemberLimits = z.strictObject(Limits);
export type MemberLimits = z.input<typeof MemberLimits>;

export const OrderRequest = z.strictObject({
  instrumentId: z.uuid(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['limit', 'market', 'stop', 'stop_limit']).default('limit'),
  price: PositiveDecimal.optional(),
  stopPrice: PositiveDecimal.optional(),
  quantity: PositiveDecimal,
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'GTD']).default('GTC'),
  expiresAt: z.iso.datetime().optional(),
  postOnly: z.boolean().default(false),
  selfTrade: z.enum(['cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement']).default('cancel_newest'),
});
export type OrderRequest = z.input<typeof OrderRequest>;

export const ReplaceRequest = z.strictObject({ price: PositiveDecimal, quantity: PositiveDecimal });

/** The limits an omnibus member is created with (the aggregator's windows bound its orders). */
export interface OmnibusLimits {
  readonly orderQuantityMax: string;
  readonly orderNotionalMax: string;
  readonly openOrdersMax: number;
  readonly messagesPerSecond: number;
}

export interface Principal {
  readonly kind: 'member' | 'operator';
  readonly id: string;
  readonly keyId: string;
  readonly status: PrincipalStatus;
  /** Members only. */
  readonly member: MemberView | null;
}

export interface MemberView {
  readonly id: string;
  readonly ownerNo: number;
  readonly kind: MemberKind;
  readonly tenantRef: string | null;
  readonly status: PrincipalStatus;
  readonly orderQuantityMax: string;
  readonly orderNotionalMax: string;
  readonly openOrdersMax: number;
  readonly messagesPerSecond: number;
}

interface MemberRow {
  id: string;
  owner_no: number;
  kind: MemberKind;
  tenant_ref: string | null;
  status: PrincipalStatus;
  order_quantity_max: string;
  order_notional_max: string;
  open_orders_max: number;
  messages_per_second: number;
}

const memberOf = (r: MemberRow): MemberView => ({
  id: r.id,
  ownerNo: r.owner_no,
  kind: r.kind,
  tenantRef: r.tenant_ref,
  status: r.status,
  orderQuantityMax: decimal(r.order_quantity_max).toString(),
  orderNotionalMax: decimal(r.order_notional_max).toString(),
  openOrdersMax: r.open_orders_max,
  messagesPerSecond: r.messages_per_second,
});

const SIDES = { buy: Side.Buy, sell: Side.Sell } as const;
const TYPES = { limit: OrderType.Limit, market: OrderType.Market, stop: OrderType.Stop, stop_limit: OrderType.StopLimit } as const;
const TIFS = { GTC: TimeInForce.GTC, IOC: TimeInForce.IOC, FOK: TimeInForce.FOK, GTD: TimeInForce.GTD } as const;
const STPS = { cancel_newest: StpMode.CancelNewest, cancel_oldest: StpMode.CancelOldest, cancel_both: StpMode.CancelBoth, decrement: StpMode.Decrement } as const;

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw memberError(MemberErrorCode.BadRequest, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** A member's wallet jurisdiction on chain (ISO 3166-1 numeric; 0 = none: members are institutions, not accounts of a country). */
const MEMBER_WALLET_COUNTRY = 0;

@Injectable()
export class MembersService implements OnModuleInit, OnModuleDestroy {
  private readonly keys = new Map<string, Awaited<ReturnType<typeof importPublicKey>>>();
  private readonly limiter = new RateLimiter();
  private pruner: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(MarketService) private readonly market: MarketService,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
    @Inject(MARKET_CLOCK) private readonly clock: MarketClock,
    @Inject(MemberStreamService) private readonly stream: MemberStreamService,
    @Optional() @Inject(PRE_TRADE_CHECKS) private readonly checks: readonly PreTradeCheck[] | null = null,
    // Present when the stack runs with a chain: a new market maker's settlement wallet is then requested with it.
    @Optional() @Inject(ChainService) private readonly chain: ChainService | null = null,
  ) {}

  onModuleInit(): void {
    this.pruner = setInterval(() => void this.pruneNonces().catch(() => undefined), NONCE_PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    if (this.pruner) clearInterval(this.pruner);
  }

  // ---- registration ---------------------------------------------------------------------

  /** Creates an operator with its first key (bootstrap, seed and tests: no operator exists yet to do it). */
  async createOperator(handle: string, publicJwk: JWK): Promise<{ operatorId: string; keyId: string }> {
    PublicJwk.parse(publicJwk);
    return this.db.transaction(async (tx) => {
      const operatorId = randomUUID();
      await tx.query(`INSERT INTO operator (id, handle, status, created_at) VALUES ($1, $2, 'active', clock_timestamp())`, [operatorId, handle]);
      const keyId = await this.insertKey(tx, 'operator', operatorId, publicJwk);
      await this.audit.record(tx, { actor: 'system:bootstrap', action: 'operator.created', resource: `operator:${operatorId}`, diff: { keyId } });
      return { operatorId, keyId };
    });
  }

  async createMember(actor: string, input: NewMember): Promise<{ member: MemberView; keyId: string }> {
    const parsed = parseBody(NewMember, input);
    if ((parsed.kind === 'omnibus') !== (parsed.tenantRef !== undefined)) {
      throw memberError(MemberErrorCode.BadRequest, 'An omnibus member names its tenant; a market maker does not.');
    }
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<MemberRow>(
        `INSERT INTO member (id, kind, tenant_ref, status, order_quantity_max, order_notional_max, open_orders_max, messages_per_second, created_at)
         VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, clock_timestamp()) RETURNING *`,
        [randomUUID(), parsed.kind, parsed.tenantRef ?? null, parsed.orderQuantityMax, parsed.orderNotionalMax, parsed.openOrdersMax, parsed.messagesPerSecond],
      );
      assert(row !== undefined, 'the member row was written');
      const keyId = await this.insertKey(tx, 'member', row.id, parsed.publicJwk);
      // Its settlement wallet under the member's opaque id (an omnibus member settles in its tenant's,
      // configured with the chain); the chain worker gives it its identity. Orders pass the on-chain
      // pre-trade check once it is verified.
      if (row.kind === 'market_maker') await this.chain?.requestWallet(tx, row.id, 'member', MEMBER_WALLET_COUNTRY);
      const member = memberOf(row);
      await this.audit.record(tx, {
        actor,
        action: 'member.created',
        resource: `member:${member.id}`,
        diff: { kind: member.kind, keyId, ownerNo: member.ownerNo, limits: { ...parsed, publicJwk: undefined, kind: undefined, tenantRef: undefined } },
      });
      return { member, keyId };
    });
  }

  /**
   * The omnibus member that trades for a customer-stack tenant, created on first use: the
   * platform's own account, with no key (it trades only through the aggregator's internal venue).
   */
  async omnibusMember(tenantRef: string, limits: OmnibusLimits): Promise<MemberView> {
    const found = await this.db.transaction((tx) => tx.query<MemberRow>(`SELECT * FROM member WHERE tenant_ref = $1`, [tenantRef]));
    if (found[0]) return memberOf(found[0]);
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<MemberRow>(
        `INSERT INTO member (id, kind, tenant_ref, status, order_quantity_max, order_notional_max, open_orders_max, messages_per_second, created_at)
         VALUES ($1, 'omnibus', $2, 'active', $3, $4, $5, $6, clock_timestamp()) ON CONFLICT (tenant_ref) DO NOTHING RETURNING *`,
        [randomUUID(), tenantRef, limits.orderQuantityMax, limits.orderNotionalMax, limits.openOrdersMax, limits.messagesPerSecond],
      );
      if (!row) {
        // Created by a concurrent caller since the read above.
        const [existing] = await tx.query<MemberRow>(`SELECT * FROM member WHERE tenant_ref = $1`, [tenantRef]);
        assert(existing !== undefined, 'the omnibus member exists');
        return memberOf(existing);
      }
      const member = memberOf(row);
      assert(member.kind === 'omnibus' && member.tenantRef === tenantRef, 'an omnibus member names its tenant');
      await this.audit.record(tx, {
        actor: 'system:aggregation', action: 'member.created', resource: `member:${member.id}`,
        diff: { kind: member.kind, tenantRef, ownerNo: member.ownerNo, limits: { ...limits } },
      });
      return member;
    });
  }

  private async insertKey(tx: SqlTx, kind: 'member' | 'operator', principalId: string, publicJwk: JWK): Promise<string> {
    const keyId = `key_${randomBytes(12).toString('hex')}`;
    const { kty, n, e } = publicJwk;
    await tx.query(`INSERT INTO api_key (key_id, principal_kind, principal_id, public_jwk, status, created_at) VALUES ($1, $2, $3, $4, 'active', clock_timestamp())`, [
      keyId,
      kind,
      principalId,
      JSON.stringify({ kty, n, e }),
    ]);
    return keyId;
  }

  // ---- authentication -------------------------------------------------------------------

  /** The signed-request check: signature, request binding, time window, nonce, status, rate. */
  async authenticate(request: { method: string; path: string; rawBody: Uint8Array; keyId: string | undefined; signature: string | undefined }): Promise<Principal> {
    if (!request.keyId || !request.signature || request.keyId.length > 64) throw memberError(MemberErrorCode.MissingSignature);
    const keyId = request.keyId;
    const [key] = await this.db.transaction((tx) =>
      tx.query<{ principal_kind: 'member' | 'operator'; principal_id: string; public_jwk: JWK; status: string }>(
        `SELECT principal_kind, principal_id, public_jwk, status FROM api_key WHERE key_id = $1`,
        [keyId],
      ),
    );
    if (!key || key.status !== 'active') throw memberError(MemberErrorCode.UnknownKey);
    let publicKey = this.keys.get(keyId);
    if (!publicKey) {
      publicKey = await importPublicKey(key.public_jwk);
      if (this.keys.size >= PUBLIC_KEYS_CACHED_MAX) this.keys.clear();
      this.keys.set(keyId, publicKey);
    }
    const nowMs = this.clock.nowMs();
    const described = { method: request.method, path: request.path, body: request.rawBody };
    const verdict = await verifySignedRequest(publicKey, keyId, request.signature, described, nowMs, this.config.members.signatureWindowMs);
    if (!verdict.ok) throw memberError(signatureCode(verdict.refusal));
    // The nonce is claimed only for a request that verified, so a forger cannot burn nonces.
    const principal = await this.db.transaction(async (tx) => {
      const claimed = await tx.query(`INSERT INTO request_nonce (key_id, nonce, seen_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT DO NOTHING RETURNING nonce`, [
        keyId,
        verdict.payload.nonce,
      ]);
      if (claimed.length === 0) throw memberError(MemberErrorCode.Replay);
      if (key.principal_kind === 'operator') {
        const [operator] = await tx.query<{ status: PrincipalStatus }>(`SELECT status FROM operator WHERE id = $1`, [key.principal_id]);
        assert(operator !== undefined, 'a key belongs to an existing operator');
        return { kind: 'operator' as const, id: key.principal_id, keyId, status: operator.status, member: null };
      }
      const [member] = await tx.query<MemberRow>(`SELECT * FROM member WHERE id = $1`, [key.principal_id]);
      assert(member !== undefined, 'a key belongs to an existing member');
      return { kind: 'member' as const, id: key.principal_id, keyId, status: member.status, member: memberOf(member) };
    });
    if (principal.status !== 'active') throw memberError(MemberErrorCode.Suspended);
    const rate = principal.member?.messagesPerSecond ?? OPERATOR_MESSAGES_PER_SECOND;
    if (!this.limiter.take(`${principal.kind}:${principal.id}`, rate, nowMs)) throw memberError(MemberErrorCode.RateLimited);
    return principal;
  }

  /**
   * The public key of one of an operator's active keys, for checking what that operator signed
   * outside a request (a settlement approval); null when the key is not theirs or not active.
   */
  async operatorPublicKey(tx: SqlTx, operatorId: string, keyId: string): Promise<Awaited<ReturnType<typeof importPublicKey>> | null> {
    if (keyId.length > 64) return null;
    const [key] = await tx.query<{ public_jwk: JWK }>(
      `SELECT k.public_jwk FROM api_key k JOIN operator o ON o.id = k.principal_id
        WHERE k.key_id = $1 AND k.principal_kind = 'operator' AND k.principal_id = $2 AND k.status = 'active' AND o.status = 'active'`,
      [keyId, operatorId],
    );
    return key ? importPublicKey(key.public_jwk) : null;
  }

  /** A message on an authenticated member socket: the member's message rate, shared with its REST calls. */
  admitMessage(member: MemberView): void {
    if (!this.limiter.take(`member:${member.id}`, member.messagesPerSecond, this.clock.nowMs())) throw memberError(MemberErrorCode.RateLimited);
  }

  private async pruneNonces(): Promise<void> {
    await this.db.transaction((tx) =>
      tx.query(`DELETE FROM request_nonce WHERE seen_at < clock_timestamp() - make_interval(secs => $1)`, [(2 * this.config.members.signatureWindowMs) / 1_000]),
    );
  }

  // ---- orders ---------------------------------------------------------------------------

  async placeOrder(member: MemberView, input: OrderRequest): Promise<{ orderId: string; status: 'accepted' }> {
    const o = parseBody(OrderRequest, input);
    const desk = await this.market.desk(o.instrumentId);
    if (!desk) throw memberError(MemberErrorCode.UnknownInstrument);
    const instrument = desk.instrument;
    const type = TYPES[o.type];
    const needsPrice = type === OrderType.Limit || type === OrderType.StopLimit;
    const needsStop = type === OrderType.Stop || type === OrderType.StopLimit;
    if (needsPrice !== (o.price !== undefined) || needsStop !== (o.stopPrice !== undefined)) {
      throw memberError(MemberErrorCode.BadRequest, 'Limit and stop-limit orders carry a price, stop orders a stopPrice, market orders neither.');
    }
    if ((o.timeInForce === 'GTD') !== (o.expiresAt !== undefined)) throw memberError(MemberErrorCode.BadRequest, 'expiresAt goes with GTD only.');
    const lots = quantityToLots(o.quantity, instrument.lotSize);
    if (!lots.ok) throw marketRefusal(lots.code);
    const priceTicks = o.price === undefined ? { ok: true as const, units: 0 } : priceToTicks(o.price, instrument.tickSize);
    const stopTicks = o.stopPrice === undefined ? { ok: true as const, units: 0 } : priceToTicks(o.stopPrice, instrument.tickSize);
    if (!priceTicks.ok) throw marketRefusal(priceTicks.code);
    if (!stopTicks.ok) throw marketRefusal(stopTicks.code);

    // Market and stop orders could trade anywhere in the band: their notional is taken at its top.
    const worstPrice = o.price ?? instrument.priceMax;
    const open = (await this.market.openOrderIds(member.ownerNo)).length;
    const risk = riskRefusal({ quantity: o.quantity, worstPrice }, member, open);
    if (risk) throw memberError(risk);
    for (const check of this.checks ?? []) {
      const refusal = await check.check({
        memberId: member.id,
        ownerNo: member.ownerNo,
        memberKind: member.kind,
        tenantRef: member.tenantRef,
        instrumentId: instrument.id,
        side: o.side,
        quantity: o.quantity,
        worstPrice,
      });
      if (refusal) throw memberError(MemberErrorCode.PreTradeRefused, `${refusal.code}: ${refusal.message}`);
    }
    const result = await this.market.execute(instrument.id, {
      kind: 'submit',
      order: {
        ownerId: member.ownerNo,
        side: SIDES[o.side],
        type,
        priceTicks: priceTicks.units,
        stopPriceTicks: stopTicks.units,
        lots: lots.units,
        tif: TIFS[o.timeInForce],
        expiryMs: o.expiresAt ? Date.parse(o.expiresAt) : 0,
        postOnly: o.postOnly,
        stp: STPS[o.selfTrade],
      },
    });
    return { orderId: String(accepted(result).orderId), status: 'accepted' };
  }

  async cancelOrder(member: MemberView, instrumentId: string, orderId: number): Promise<void> {
    if ((await this.market.liveOwner(instrumentId, orderId)) !== member.ownerNo) throw memberError(MemberErrorCode.UnknownOrder);
    accepted(await this.market.execute(instrumentId, { kind: 'cancel', orderId }));
  }

  async replaceOrder(member: MemberView, instrumentId: string, orderId: number, input: unknown): Promise<void> {
    const r = parseBody(ReplaceRequest, input);
    const desk = await this.market.desk(instrumentId);
    if (!desk || desk.book.ownerOf(orderId) !== member.ownerNo) throw memberError(MemberErrorCode.UnknownOrder);
    const lots = quantityToLots(r.quantity, desk.instrument.lotSize);
    const ticks = priceToTicks(r.price, desk.instrument.tickSize);
    if (!lots.ok) throw marketRefusal(lots.code);
    if (!ticks.ok) throw marketRefusal(ticks.code);
    const risk = riskRefusal({ quantity: r.quantity, worstPrice: r.price }, { ...member, openOrdersMax: Number.MAX_SAFE_INTEGER }, 0);
    if (risk) throw memberError(risk);
    accepted(await this.market.execute(instrumentId, { kind: 'replace', orderId, priceTicks: ticks.units, lots: lots.units }));
  }

  // ---- operator actions (each audited in the transaction of its effect) -----------------

  async listInstrument(operatorId: string, input: unknown): Promise<Instrument> {
    const parsed = parseBody(NewInstrument, input);
    const instrument = await this.market.list(parsed);
    await this.db.transaction((tx) =>
      this.audit.record(tx, { actor: `operator:${operatorId}`, action: 'instrument.listed', resource: `instrument:${instrument.id}`, diff: { ...instrument } }),
    );
    return instrument;
  }

  async forceCancel(operatorId: string, instrumentId: string, orderId: number): Promise<void> {
    if ((await this.market.liveOwner(instrumentId, orderId)) === null) throw memberError(MemberErrorCode.UnknownOrder);
    accepted(
      await this.market.execute(instrumentId, { kind: 'cancel', orderId }, async (tx, result) => {
        if (result.ok) await this.audit.record(tx, { actor: `operator:${operatorId}`, action: 'order.force_cancelled', resource: `order:${instrumentId}:${orderId}`, diff: {} });
      }),
    );
  }

  async setSession(operatorId: string, instrumentId: string, action: 'halt' | 'resume' | 'close' | 'open', cooldownMs: number | null): Promise<void> {
    if (!(await this.market.desk(instrumentId))) throw memberError(MemberErrorCode.UnknownInstrument);
    const command = action === 'halt' ? { kind: 'halt' as const, cooldownMs } : { kind: action };
    accepted(
      await this.market.execute(instrumentId, command, async (tx, result) => {
        if (result.ok) await this.audit.record(tx, { actor: `operator:${operatorId}`, action: `market.${action}`, resource: `instrument:${instrumentId}`, diff: { cooldownMs } });
      }),
    );
  }

  /** Every member, in the order they joined (owner number), with their limits and status. */
  async listMembers(): Promise<MemberView[]> {
    const rows = await this.db.transaction((tx) => tx.query<MemberRow>(`SELECT * FROM member ORDER BY owner_no LIMIT $1`, [MEMBERS_LISTED_MAX]));
    return rows.map(memberOf);
  }

  /**
   * Sets a member's four limits. They bind from the member's next request (the signed-request
   * check reads the member row each time); orders already resting are left as they are.
   */
  async setMemberLimits(operatorId: string, memberId: string, input: unknown): Promise<MemberView> {
    const limits = parseBody(MemberLimits, input);
    return this.db.transaction(async (tx) => {
      const [before] = await tx.query<MemberRow>(`SELECT * FROM member WHERE id = $1 FOR UPDATE`, [memberId]);
      if (!before) throw memberError(MemberErrorCode.UnknownMember);
      const [row] = await tx.query<MemberRow>(
        `UPDATE member SET order_quantity_max = $2, order_notional_max = $3, open_orders_max = $4, messages_per_second = $5 WHERE id = $1 RETURNING *`,
        [memberId, limits.orderQuantityMax, limits.orderNotionalMax, limits.openOrdersMax, limits.messagesPerSecond],
      );
      assert(row !== undefined && row.id === memberId, 'the locked member row was updated');
      const from = memberOf(before);
      const to = memberOf(row);
      await this.audit.record(tx, {
        actor: `operator:${operatorId}`,
        action: 'member.limits_changed',
        resource: `member:${memberId}`,
        diff: {
          from: { orderQuantityMax: from.orderQuantityMax, orderNotionalMax: from.orderNotionalMax, openOrdersMax: from.openOrdersMax, messagesPerSecond: from.messagesPerSecond },
          to: { orderQuantityMax: to.orderQuantityMax, orderNotionalMax: to.orderNotionalMax, openOrdersMax: to.openOrdersMax, messagesPerSecond: to.messagesPerSecond },
        },
      });
      return to;
    });
  }

  /** Suspends (and cancels every open order of) or reinstates a member. */
  async setMemberStatus(operatorId: string, memberId: string, status: PrincipalStatus): Promise<MemberView> {
    const member = await this.db.transaction(async (tx) => {
      const [row] = await tx.query<MemberRow>(`UPDATE member SET status = $2 WHERE id = $1 RETURNING *`, [memberId, status]);
      if (!row) throw memberError(MemberErrorCode.UnknownMember);
      const action = status === 'suspended' ? 'member.suspended' : 'member.reinstated';
      await this.audit.record(tx, { actor: `operator:${operatorId}`, action, resource: `member:${memberId}`, diff: { status } });
      return memberOf(row);
    });
    if (status === 'suspended') {
      // Its sockets close first: a suspended member enters nothing more and hears nothing more.
      this.stream.disconnect(member.ownerNo, MEMBER_STREAM_CLOSE_SUSPENDED, 'suspended');
      for (const { instrumentId, orderId } of await this.market.openOrderIds(member.ownerNo)) {
        await this.market.execute(instrumentId, { kind: 'cancel', orderId });
      }
    }
    return member;
  }
}

function accepted(result: MarketResult): { orderId: number | null } {
  if (!result.ok) {
    if (result.code === 'unknown_order') throw memberError(MemberErrorCode.UnknownOrder);
    if (result.code === 'unknown_instrument') throw memberError(MemberErrorCode.UnknownInstrument);
    throw marketRefusal(result.code);
  }
  return result;
}

function signatureCode(refusal: SignatureRefusal): MemberErrorCode {
  const codes: Readonly<Record<SignatureRefusal, MemberErrorCode>> = {
    missing_signature: MemberErrorCode.MissingSignature,
    bad_signature: MemberErrorCode.BadSignature,
    key_mismatch: MemberErrorCode.KeyMismatch,
    bad_payload: MemberErrorCode.BadPayload,
    wrong_request: MemberErrorCode.WrongRequest,
    body_mismatch: MemberErrorCode.BodyMismatch,
    stale: MemberErrorCode.Stale,
    future: MemberErrorCode.Future,
  };
  return codes[refusal];
}
