// Order intents: recorded and announced across the wall in one transaction; their fate
// (accepted or rejected by the execution stack) is booked when the answer comes back.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { z } from 'zod';
import { IntentSubmittedV1, assert, type MessageBody } from '@bulwark/shared-contracts';
import { ParkMessage, enqueueOutbound, type InboundMessage, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { OrdersRepository, type IntentRow } from './orders.repository.js';

/** What a caller gives: the intent.submitted.v1 body without the ids and time this stack assigns. */
export const SubmitIntentInput = IntentSubmittedV1.omit({ intentId: true, submittedAt: true });
export type SubmitIntentInput = z.infer<typeof SubmitIntentInput>;

export const INTENTS_PER_CALL_MAX = 1_000;

@Injectable()
export class OrdersService implements OnModuleInit {
  private readonly repository = new OrdersRepository();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(WallService) private readonly wall: WallService,
  ) {}

  onModuleInit(): void {
    this.wall.registerHandlers({
      'intent.accepted.v1': (tx, messages) => this.onAccepted(tx, messages),
      'intent.rejected.v1': (tx, messages) => this.onRejected(tx, messages),
    });
  }

  /** Records intents and their intent.submitted.v1 messages atomically. */
  async submitIntents(inputs: readonly SubmitIntentInput[]): Promise<string[]> {
    assert(inputs.length >= 1 && inputs.length <= INTENTS_PER_CALL_MAX, 'intents per call within limit');
    const now = new Date();
    const intents = inputs.map((raw) => ({ ...SubmitIntentInput.parse(raw), id: randomUUID(), createdAt: now }));
    await this.db.transaction(async (tx) => {
      await this.repository.insert(tx, intents);
      await enqueueOutbound(
        tx,
        intents.map((intent) => ({
          type: 'intent.submitted.v1' as const,
          body: {
            intentId: intent.id,
            accountRef: intent.accountRef,
            tenantRef: intent.tenantRef,
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

  async findIntents(ids: readonly string[]): Promise<IntentRow[]> {
    return this.db.transaction((tx) => this.repository.find(tx, ids));
  }

  private async onAccepted(tx: SqlTx, messages: readonly InboundMessage<'intent.accepted.v1'>[]): Promise<void> {
    await this.settle(tx, messages.map((m) => m.body), 'accepted');
  }

  private async onRejected(tx: SqlTx, messages: readonly InboundMessage<'intent.rejected.v1'>[]): Promise<void> {
    await this.settle(tx, messages.map((m) => m.body), 'rejected');
  }

  private async settle(
    tx: SqlTx,
    bodies: readonly (MessageBody<'intent.accepted.v1'> | MessageBody<'intent.rejected.v1'>)[],
    status: 'accepted' | 'rejected',
  ): Promise<void> {
    const ids = bodies.map((b) => b.intentId);
    const moved = new Set(await this.repository.settleSubmitted(tx, ids, status, bodies.map((b) => ('code' in b ? b.code : null))));
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
