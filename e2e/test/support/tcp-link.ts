// A TCP link a test can cut and restore: a stack connects to NATS through it, and cutting it
// closes every connection and refuses new ones on the same port, as a network partition between
// that one stack and the wall's transport would (the other stack keeps its own connection).
import { createServer, Socket, type Server } from 'node:net';
import { freePort } from '../../../infra/scripts/services.mjs';

export class TcpLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A link from a fresh local port to `targetUrl` (host and port are read from the URL). */
  static async open(targetUrl: string): Promise<TcpLink> {
    const url = new URL(targetUrl);
    const link = new TcpLink(await freePort(), { host: url.hostname, port: Number.parseInt(url.port, 10) });
    await link.restore();
    return link;
  }

  /** The target URL as seen through the link. */
  via(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.port = String(this.port);
    return url.toString().replace(/\/$/, '');
  }

  get connections(): number {
    return this.sockets.size;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((inbound) => {
      const outbound = new Socket();
      const pair = [inbound, outbound];
      for (const socket of pair) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          for (const other of pair) other.destroy();
        });
      }
      outbound.connect(this.target.port, this.target.host);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Closes every connection through the link and refuses new ones until restored. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
