// A member-stream consumer: connects with a signed handshake, checks that sequence numbers
// follow one another, answers requests by reqId, and resumes after a disconnect from the last
// sequence it saw. Tests and the member benchmark use it; it is what a member's own handler does.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { MEMBER_STREAM_PATH } from './member-stream.gateway.js';
import type { MemberStreamMessage } from './member-stream.js';
import { signRequest, type SigningKey } from './request-signature.js';

export type StreamEvent = Extract<MemberStreamMessage, { type: 'order' } | { type: 'fill' }>;
type Reply = Extract<MemberStreamMessage, { type: 'ack' } | { type: 'error' }>;

/** A handshake the server refused, with the problem's status and code. */
export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`member stream handshake refused: ${status} ${code ?? ''}`);
  }
}

export interface StreamPosition {
  readonly streamId: string;
  readonly seq: number;
}

export class MemberStreamClient {
  readonly events: StreamEvent[] = [];
  readonly resets: Extract<MemberStreamMessage, { type: 'reset' }>[] = [];
  /** Sequence numbers that did not follow the previous one (a correct server leaves this empty). */
  readonly gaps: { expected: number; got: number }[] = [];
  streamId = '';
  lastSeq = 0;
  closeCode: number | null = null;
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private readonly watchers = new Set<() => void>();
  private readonly closed: Promise<number>;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.onMessage(JSON.parse(data.toString()) as MemberStreamMessage));
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve((this.closeCode = code))));
  }

  /** Opens the stream: live from now, or resuming after `from` (the position of an earlier connection). */
  static async connect(baseUrl: string, key: SigningKey, from?: StreamPosition, signedHeaders?: Record<string, string>): Promise<MemberStreamClient> {
    const path = from ? `${MEMBER_STREAM_PATH}?stream=${from.streamId}&resumeFrom=${from.seq}` : MEMBER_STREAM_PATH;
    const headers = signedHeaders ?? (await signRequest(key, { method: 'GET', path, body: '' }));
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, { headers });
    const client = new MemberStreamClient(socket);
    if (from) client.lastSeq = from.seq;
    await new Promise<void>((resolve, reject) => {
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          const code = (JSON.parse(body || '{}') as { code?: string }).code;
          reject(new HandshakeRefused(response.statusCode ?? 0, code));
        });
      });
      socket.once('error', reject);
      // The welcome (sent on upgrade) says which stream and where it stands.
      const welcomed = () => {
        if (client.streamId !== '') {
          client.watchers.delete(welcomed);
          resolve();
        }
      };
      client.watchers.add(welcomed);
    });
    return client;
  }

  get position(): StreamPosition {
    return { streamId: this.streamId, seq: this.lastSeq };
  }

  /** Sends one request and resolves with its ack or error. */
  request(message: Record<string, unknown>): Promise<Reply> {
    const reqId = randomUUID();
    return new Promise((resolve) => {
      this.waiting.set(reqId, resolve);
      this.socket.send(JSON.stringify({ ...message, reqId }));
    });
  }

  /** Resolves once an event matching `predicate` has been received (already or later). */
  waitFor(predicate: (event: StreamEvent) => boolean): Promise<StreamEvent> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.events.find(predicate);
        if (!found) return;
        this.watchers.delete(check);
        resolve(found);
      };
      this.watchers.add(check);
      check();
    });
  }

  waitForClose(): Promise<number> {
    return this.closed;
  }

  close(): void {
    this.socket.terminate();
  }

  private onMessage(message: MemberStreamMessage): void {
    switch (message.type) {
      case 'welcome':
        this.streamId = message.streamId;
        if (message.replayFrom === null) this.lastSeq = message.seq;
        break;
      case 'reset':
        this.resets.push(message);
        break;
      case 'ack':
      case 'error':
        if (message.reqId !== undefined) {
          this.waiting.get(message.reqId)?.(message);
          this.waiting.delete(message.reqId);
        }
        break;
      default:
        if (message.seq !== this.lastSeq + 1) this.gaps.push({ expected: this.lastSeq + 1, got: message.seq });
        this.lastSeq = message.seq;
        this.events.push(message);
    }
    for (const watcher of [...this.watchers]) watcher();
  }
}
