// The member WebSocket on /v1/member/stream. The upgrade request is a signed request like any
// REST call (key id and PS256 signature headers over GET, the path with its query, the empty
// body, a timestamp inside the window and a fresh nonce), so a captured handshake cannot be
// replayed and a suspended member cannot connect. Once connected the member hears its own
// order events in sequence and may enter orders on the socket: each message takes a token of
// the member's message rate and passes the very checks a REST order passes.
import type { IncomingMessage, Server } from 'node:http';
import { HttpException, Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { PositiveDecimal } from '@bulwark/shared-contracts';
import { safeJson, WebSocketRoute } from '../market/websocket-route.js';
import { memberError, MemberErrorCode } from './member.errors.js';
import { MemberStreamService, type ResumeRequest } from './member-stream.js';
import { MembersService, type MemberView } from './members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from './request-signature.js';

export const MEMBER_STREAM_PATH = '/v1/member/stream';
export const MEMBER_STREAM_MESSAGE_BYTES_MAX = 8_192;

const ReqId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
const OrderId = z.union([z.string().regex(/^[1-9][0-9]{0,14}$/).transform(Number), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]);
const ClientMessage = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('place'), reqId: ReqId, order: z.unknown() }),
  z.strictObject({ op: z.literal('cancel'), reqId: ReqId, instrumentId: z.uuid(), orderId: OrderId }),
  z.strictObject({ op: z.literal('replace'), reqId: ReqId, instrumentId: z.uuid(), orderId: OrderId, price: PositiveDecimal, quantity: PositiveDecimal }),
]);
const ResumeQuery = z.strictObject({ stream: z.uuid(), resumeFrom: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });

interface Accepted {
  readonly member: MemberView;
  readonly resume: ResumeRequest | null;
}

@Injectable()
export class MemberStreamGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MemberStreamGateway');
  private readonly route = new WebSocketRoute<Accepted>(
    MEMBER_STREAM_PATH,
    MEMBER_STREAM_MESSAGE_BYTES_MAX,
    (request) => this.handshake(request),
    (socket, accepted) => this.connected(socket, accepted),
  );

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(MembersService) private readonly members: MembersService,
    @Inject(MemberStreamService) private readonly stream: MemberStreamService,
  ) {}

  onApplicationBootstrap(): void {
    this.route.listen(this.adapterHost.httpAdapter.getHttpServer() as Server);
  }

  // Before the HTTP server closes: it waits for every open connection, these sockets included.
  beforeApplicationShutdown(): void {
    this.route.close();
  }

  private async handshake(request: IncomingMessage): Promise<Accepted> {
    const path = request.url ?? '/';
    const query = Object.fromEntries(new URL(path, 'http://ws').searchParams);
    let resume: ResumeRequest | null = null;
    if (Object.keys(query).length > 0) {
      const parsed = ResumeQuery.safeParse(query);
      if (!parsed.success) throw memberError(MemberErrorCode.BadRequest, 'A resume names both stream (the stream id) and resumeFrom (the last sequence seen).');
      resume = { streamId: parsed.data.stream, fromSeq: parsed.data.resumeFrom };
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const principal = await this.members.authenticate({
      method: request.method ?? 'GET',
      path,
      rawBody: new Uint8Array(),
      keyId: header(KEY_HEADER),
      signature: header(SIGNATURE_HEADER),
    });
    if (principal.kind !== 'member' || !principal.member) throw memberError(MemberErrorCode.WrongPrincipal);
    return { member: principal.member, resume };
  }

  private connected(socket: WebSocket, { member, resume }: Accepted): void {
    if (!this.stream.attach(socket, member, resume)) return;
    socket.on('message', (data, isBinary) => void this.onMessage(socket, member, isBinary ? null : data.toString()));
  }

  private async onMessage(socket: WebSocket, member: MemberView, text: string | null): Promise<void> {
    const json = text === null ? null : safeJson(text);
    const parsed = text === null ? null : ClientMessage.safeParse(json);
    if (!parsed?.success) {
      const detail = parsed ? parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'Messages are JSON text.';
      // The refusal names the request when it carried a well-formed reqId.
      const reqId = ReqId.safeParse((json as { reqId?: unknown } | null)?.reqId);
      return this.stream.reply(socket, { type: 'error', ...(reqId.success ? { reqId: reqId.data } : {}), code: MemberErrorCode.BadRequest, detail });
    }
    const message = parsed.data;
    try {
      this.members.admitMessage(member);
      if (message.op === 'place') {
        const { orderId } = await this.members.placeOrder(member, message.order as never);
        this.stream.reply(socket, { type: 'ack', reqId: message.reqId, orderId });
      } else if (message.op === 'cancel') {
        await this.members.cancelOrder(member, message.instrumentId, message.orderId);
        this.stream.reply(socket, { type: 'ack', reqId: message.reqId, orderId: String(message.orderId) });
      } else {
        await this.members.replaceOrder(member, message.instrumentId, message.orderId, { price: message.price, quantity: message.quantity });
        this.stream.reply(socket, { type: 'ack', reqId: message.reqId, orderId: String(message.orderId) });
      }
    } catch (error) {
      if (!(error instanceof HttpException)) {
        // As on REST: an unexpected failure is logged and answered without its details.
        this.logger.error({ err: error, memberId: member.id, reqId: message.reqId, msg: 'member stream request failed' });
        return this.stream.reply(socket, { type: 'error', reqId: message.reqId, code: 'internal_error' });
      }
      const body = error.getResponse() as { code?: string; message?: string };
      this.stream.reply(socket, { type: 'error', reqId: message.reqId, code: body.code ?? 'error', ...(body.message ? { detail: body.message } : {}) });
    }
  }
}
