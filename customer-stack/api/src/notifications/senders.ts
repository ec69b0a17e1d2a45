// The two ways out: SMTP through nodemailer and HTTPS webhooks signed as Standard Webhooks.
// Each send returns a short result code; nothing here retries (the dispatcher does).
import { Webhook } from 'standardwebhooks';
import nodemailer, { type Transporter } from 'nodemailer';

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

/** POSTs the payload with webhook-id (stable per delivery), webhook-timestamp and webhook-signature. */
export async function sendWebhook(url: string, secret: string, deliveryId: string, payload: string, now: Date): Promise<SendResult> {
  try {
    const signature = new Webhook(secret).sign(deliveryId, now, payload);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': deliveryId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: payload,
      redirect: 'error',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    return failure(error);
  }
}
