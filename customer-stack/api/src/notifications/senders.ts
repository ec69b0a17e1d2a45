// The two ways out: SMTP through nodemailer and HTTPS webhooks signed as Standard Webhooks (sent
// only to addresses the webhook-target policy allows).
// Each send returns a short result code; nothing here retries (the dispatcher does).
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import nodemailer, { type Transporter } from 'nodemailer';
import { WebhookTargetRefused, guardedLookup, literalAllowed, type WebhookTargetPolicy } from './webhook-target.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SMTP_TIMEOUT_MS = 15_000;
const ERROR_LENGTH_MAX = 200;

export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

// The error is stored in the tenant-free delivery queue: addresses in it (an SMTP server quoting
// the recipient) are blanked.
const failure = (error: unknown): SendResult => ({
  ok: false,
  error: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/[^\s<>@"']+@[^\s<>@"']+/g, '[address]').slice(0, ERROR_LENGTH_MAX),
});

export class MailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    const url = new URL(smtpUrl);
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  /** The Message-ID is the delivery id: a resend after a crash carries the same one. */
  async send(to: string, subject: string, text: string, deliveryId: string): Promise<SendResult> {
    try {
      await this.transport.sendMail({ from: this.from, to, subject, text, messageId: `<${deliveryId}@notifications.bulwark>` });
      return { ok: true };
    } catch (error) {
      return failure(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * POSTs the payload with webhook-id (stable per delivery), webhook-timestamp and webhook-signature.
 * The connection goes only to addresses the policy allows (checked on the resolved addresses the
 * socket uses), follows no redirect and is bounded in time.
 */
export async function sendWebhook(url: string, secret: string, deliveryId: string, payload: string, now: Date, policy: WebhookTargetPolicy): Promise<SendResult> {
  try {
    const target = new URL(url);
    if (!literalAllowed(policy, target)) return failure(new WebhookTargetRefused('the URL names a refused address'));
    const signature = new Webhook(secret).sign(deliveryId, now, payload);
    const status = await post(target, policy, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      'webhook-id': deliveryId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    }, payload);
    return status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `HTTP ${status}` };
  } catch (error) {
    return failure(error);
  }
}

function post(target: URL, policy: WebhookTargetPolicy, headers: Record<string, string>, body: string): Promise<number> {
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      { method: 'POST', headers, lookup: guardedLookup(policy), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) },
      (response) => {
        // The answer's body is not read: only the status counts.
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
