// The WebSocket machinery the public market feed and the member stream share: upgrades on one
// path of the application's HTTP server (each route ignores the others' paths), an optional
// check before the upgrade that refuses with problem+json, and bounded sends — a client whose
// unsent bytes would pass the bound is dropped (it reconnects and resynchronises), so a slow
// reader never grows the server.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpException } from '@nestjs/common';
import { WebSocketServer, type WebSocket } from 'ws';

/** The WebSocket close code for a client dropped for reading too slowly. */
export const WS_CLOSE_SLOW_CONSUMER = 4008;
export const WS_HANDSHAKE_BODY_BYTES_MAX = 4_096;

/** Accepts an upgrade (returns what the socket is handed to) or throws an HttpException to refuse it. */
export type UpgradeCheck<T> = (request: IncomingMessage) => Promise<T>;

export class WebSocketRoute<T> {
  private readonly server: WebSocketServer;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://ws').pathname !== this.path) return;
    void this.upgrade(request, socket, head);
  };
  private httpServer: Server | null = null;

  constructor(
    readonly path: string,
    maxPayloadBytes: number,
    private readonly check: UpgradeCheck<T>,
    private readonly accept: (socket: WebSocket, accepted: T) => void,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes });
  }

  listen(httpServer: Server): void {
    this.httpServer = httpServer;
    httpServer.on('upgrade', this.onUpgrade);
  }

  close(): void {
    this.httpServer?.off('upgrade', this.onUpgrade);
    this.httpServer = null;
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let accepted: T;
    try {
      accepted = await this.check(request);
    } catch (error) {
      refuseUpgrade(socket, error);
      return;
    }
    if (socket.destroyed) return;
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws, accepted));
  }
}

/** Answers an upgrade request with the problem+json the REST routes would give, then closes. */
function refuseUpgrade(socket: Duplex, error: unknown): void {
  const known = error instanceof HttpException;
  const status = known ? error.getStatus() : 500;
  const response = known ? error.getResponse() : null;
  const fields = typeof response === 'object' && response !== null ? (response as { message?: unknown; code?: unknown }) : {};
  const problem = {
    type: 'about:blank',
    title: (STATUS_CODES[status] ?? 'error').toLowerCase(),
    status,
    ...(known && typeof fields.message === 'string' ? { detail: fields.message } : { detail: 'An unexpected error occurred.' }),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
  };
  const body = JSON.stringify(problem).slice(0, WS_HANDSHAKE_BODY_BYTES_MAX);
  if (!socket.destroyed) {
    const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'Content-Type: application/problem+json'];
    head.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  }
}

/**
 * Sends unless the socket's unsent bytes would pass the bound; a client over it is closed with
 * WS_CLOSE_SLOW_CONSUMER and terminated (freeing the queued bytes now instead of waiting for a
 * close handshake it cannot read). Returns 'sent', 'closed' (not open) or 'dropped'.
 */
export function sendBounded(socket: WebSocket, text: string, bufferBytesMax: number): 'sent' | 'closed' | 'dropped' {
  if (socket.readyState !== socket.OPEN) return 'closed';
  if (socket.bufferedAmount + Buffer.byteLength(text) > bufferBytesMax) {
    socket.close(WS_CLOSE_SLOW_CONSUMER, 'slow consumer');
    socket.terminate();
    return 'dropped';
  }
  socket.send(text);
  return 'sent';
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
