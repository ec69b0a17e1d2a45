// Test support for notifications: the local SMTP sink (real SMTP, messages kept in memory) and a
// real HTTP webhook receiver that verifies Standard Webhooks signatures with the endpoint secret.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../src/notifications/smtp-sink.js';

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** True when the signature verified against the secret set with `useSecret`. */
  readonly verified: boolean;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** The secret the endpoint was registered with (the API returns it once). */
  useSecret(secret: string): void;
  /** HTTP statuses to answer with, in order, before answering 204. */
  failNext(...statuses: number[]): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const failures: number[] = [];
  let secret: string | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        if (secret) {
          new Webhook(secret).verify(body, request.headers as Record<string, string>);
          verified = true;
        }
      } catch {
        verified = false;
      }
      received.push({ headers: request.headers, body, verified });
      response.statusCode = failures.shift() ?? 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/bulwark`,
    received,
    useSecret: (value) => {
      secret = value;
    },
    failNext: (...statuses) => {
      failures.push(...statuses);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
