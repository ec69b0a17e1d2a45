// Order intents: recorded and announced across the wall in one transaction; their fate
// (accepted or rejected by the execution stack) is booked when the answer comes back. Every
// read and write runs with its tenant set (row-level security), and every change is audited.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { z } from 'zod';
import { IntentSubmittedV1, assert, type MessageBody } from '@bulwark/shared-contracts';
import { ParkMessage, enqueueOutbound, type InboundMessage, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { AuditService } from '../audit/audit.service.js';
import { TenancyError } from '../tenancy/tenancy.errors.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { OrdersRepository, type IntentRow, type NewIntent } from './orders.repository.js';

/** What a caller gives: the intent.submitted.v1 body without the ids and time this stack assigns. */
export const SubmitIntentInput = IntentSubmittedV1.omit({ intentId: true, submittedAt: true });
export type SubmitIntentInput = z.infer<typeof SubmitIntentInput>;

export const INTENTS_PER_CALL_MAX = 1_000;

/** Who books the execution stack's answers in the audit chain. */
const WALL_ACTOR = { actor: 'system:execution-stack', role: 'system' } as const;

type Answer = MessageBody<'intent.accepted.v1'> | MessageBody<'intent.rejected.v1'>;

@Injectable()
export class OrdersService implements OnModuleInit {
  private readonly repository = new OrdersRepository();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(WallService) private readonly wall: WallService,
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.wall.registerHandlers({
      'intent.accepted.v1': (tx, messages) => this.onAccepted(tx, messages),
      'intent.rejected.v1': (tx, messages) => this.onRejected(tx, messages),
    });
  }

  /**
   * Records intents and their intent.submitted.v1 messages atomically. Each intent's account
   * must be registered under the tenant it names (`tenantRef` on the wall is the tenant id).
   */
  async submitIntents(inputs: readonly SubmitIntentInput[]): Promise<string[]> {
    assert(inputs.length >= 1 && inputs.length <= INTENTS_PER_CALL_MAX, 'intents per call within limit');
    const now = new Date();
    const intents: NewIntent[] = inputs.map((raw) => {
      const { tenantRef, ...rest } = SubmitIntentInput.parse(raw);
      return { ...rest, tenantId: tenantRef, id: randomUUID(), createdAt: now };
    });
    await this.db.transaction(async (tx) => {
      const owners = await this.tenants.tenantOfAccounts(tx, intents.map((i) => i.accountRef));
      for (const intent of intents) {
        if (owners.get(intent.accountRef) !== intent.tenantId) throw new TenancyError('account_not_in_tenant', intent.accountRef);
      }
      for (const [tenantId, group] of groupBy(intents, (i) => i.tenantId)) {
        await this.tenants.enter(tx, tenantId);
        await this.repository.insert(tx, group);
        await this.audit.recordMany(
          tx,
          group.map((intent) => ({
            tenantId,
            actor: `account:${intent.accountRef}`,
            role: 'investor',
            action: 'orders.intent.submitted',
            resource: `order_intent:${intent.id}`,
            diff: { instrumentId: intent.instrumentId, side: intent.side, quantity: intent.quantity, limitPrice: intent.limitPrice, timeInForce: intent.timeInForce },
          })),
        );
      }
      await enqueueOutbound(
        tx,
        intents.map((intent) => ({
          type: 'intent.submitted.v1' as const,
          body: {
            intentId: intent.id,
            accountRef: intent.accountRef,
            tenantRef: intent.tenantId,
            instrumentId: intent.instrumentId,
            side: intent.side,
            quantity: intent.quantity,
            limitPrice: intent.limitPrice,
            timeInForce: intent.timeInForce,
            submittedAt: now.toISOString(),
          },
        })),
      );
    });
    this.wall.nudge();
    return intents.map((i) => i.id);
  }

  /** The tenant's intents among `ids` (another tenant's intents are not visible). */
  async findIntents(tenantId: string, ids: readonly string[]): Promise<IntentRow[]> {
    return this.tenants.run(tenantId, (tx) => this.repository.find(tx, ids));
  }

  private async onAccepted(tx: SqlTx, messages: readonly InboundMessage<'intent.accepted.v1'>[]): Promise<void> {
    await this.settle(tx, messages.map((m) => m.body), 'accepted');
  }

  private async onRejected(tx: SqlTx, messages: readonly InboundMessage<'intent.rejected.v1'>[]): Promise<void> {
    await this.settle(tx, messages.map((m) => m.body), 'rejected');
  }

  /** Books a batch of answers, tenant by tenant (the batch may span tenants; each group runs under its own). */
  private async settle(tx: SqlTx, bodies: readonly Answer[], status: 'accepted' | 'rejected'): Promise<void> {
    const owners = await this.tenants.tenantOfAccounts(tx, bodies.map((b) => b.accountRef));
    const unrouted = bodies.find((b) => !owners.has(b.accountRef));
    // An intent can only exist for a registered account: an unknown one is an answer to investigate.
    if (unrouted) throw new ParkMessage(`intent ${unrouted.intentId}: account ${unrouted.accountRef} is not registered (yet)`);
    for (const [tenantId, group] of groupBy(bodies, (b) => owners.get(b.accountRef) as string)) {
      await this.tenants.enter(tx, tenantId);
      await this.settleTenant(tx, tenantId, group, status);
    }
  }

  private async settleTenant(tx: SqlTx, tenantId: string, bodies: readonly Answer[], status: 'accepted' | 'rejected'): Promise<void> {
    const ids = bodies.map((b) => b.intentId);
    const codes = bodies.map((b) => ('code' in b ? b.code : null));
    const moved = new Set(await this.repository.settleSubmitted(tx, ids, status, codes));
    await this.audit.recordMany(
      tx,
      bodies
        .filter((b) => moved.has(b.intentId))
        .map((b) => ({
          tenantId,
          ...WALL_ACTOR,
          action: `orders.intent.${status}`,
          resource: `order_intent:${b.intentId}`,
          diff: { status, ...('code' in b ? { rejectCode: b.code } : {}) },
        })),
    );
    const unmoved = ids.filter((id) => !moved.has(id));
    if (unmoved.length === 0) return;
    // An answer for an intent already in that state is a harmless repeat; for an unknown intent,
    // or one the execution stack answered differently before, it is a break to investigate.
    const known = new Map((await this.repository.find(tx, unmoved)).map((row) => [row.id, row]));
    for (const id of unmoved) {
      const row = known.get(id);
      if (!row) throw new ParkMessage(`intent ${id} is not known (yet)`);
      assert(row.status === status, `intent ${id} was ${row.status}, answer says ${status}`);
    }
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
