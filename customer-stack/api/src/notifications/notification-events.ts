// What can be notified, and the email each event sends. Data values are short strings chosen
// by the enqueuing module (amounts as decimal strings, references, states): never a secret.
import { z } from 'zod';

export const NOTIFICATION_EVENTS = [
  'kyc.decided',
  'deposit.settled',
  'deposit.failed',
  'withdrawal.requested',
  'withdrawal.settled',
  'withdrawal.failed',
  'order.filled',
  'payout.credited',
  'security.new-device',
  'security.mfa-enabled',
  'security.mfa-disabled',
  'security.session-revoked',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const DATA_KEYS_MAX = 20;
export const DATA_VALUE_LENGTH_MAX = 500;

export const NotificationInput = z.strictObject({
  tenantId: z.uuid(),
  userId: z.uuid().optional(),
  event: z.enum(NOTIFICATION_EVENTS),
  data: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), z.string().max(DATA_VALUE_LENGTH_MAX))
    .refine((data) => Object.keys(data).length <= DATA_KEYS_MAX, `at most ${DATA_KEYS_MAX} data keys`),
});
export type NotificationInput = z.infer<typeof NotificationInput>;

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
}

const line = (data: Readonly<Record<string, string>>, key: string, label: string) => (data[key] ? `${label}: ${data[key]}\n` : '');
const details = (data: Readonly<Record<string, string>>) =>
  Object.entries(data)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');

const SECURITY_FOOTER = '\nIf this was not you, sign in and end your other sessions, then contact support.\n';

/** One template per event: exhaustive, so a new event cannot ship without its email. */
export const EMAIL_TEMPLATES: Readonly<Record<NotificationEvent, (data: Readonly<Record<string, string>>) => EmailContent>> = {
  'kyc.decided': (d) => ({
    subject: 'Your identity check is complete',
    text: `Your identity check has a decision.\n${line(d, 'status', 'Status')}${line(d, 'tier', 'Tier')}`,
  }),
  'deposit.settled': (d) => ({ subject: 'Your deposit has arrived', text: `Your deposit has settled.\n${details(d)}\n` }),
  'deposit.failed': (d) => ({ subject: 'Your deposit could not be credited', text: `Your deposit was not credited; any money that arrived is being returned.\n${details(d)}\n` }),
  'withdrawal.failed': (d) => ({ subject: 'Your withdrawal was not paid',
    text: `Your withdrawal was not paid out; the money is back in your available balance.\n${details(d)}\n` }),
  'withdrawal.requested': (d) => ({ subject: 'We received your withdrawal request', text: `Your withdrawal request was received.\n${details(d)}\n${SECURITY_FOOTER}` }),
  'withdrawal.settled': (d) => ({ subject: 'Your withdrawal has been paid', text: `Your withdrawal has been paid out.\n${details(d)}\n` }),
  'order.filled': (d) => ({ subject: 'Your order was filled', text: `Your order was filled.\n${details(d)}\n` }),
  'payout.credited': (d) => ({ subject: 'A payout was credited to your account', text: `A payout was credited.\n${details(d)}\n` }),
  'security.new-device': (d) => ({
    subject: 'New sign-in to your account',
    text: `Your account was just signed in to from a new device.\n${line(d, 'device', 'Device')}${SECURITY_FOOTER}`,
  }),
  'security.mfa-enabled': () => ({ subject: 'Two-factor authentication is on', text: `Two-factor authentication was turned on for your account.\n${SECURITY_FOOTER}` }),
  'security.mfa-disabled': () => ({ subject: 'Two-factor authentication is off', text: `Two-factor authentication was turned off for your account.\n${SECURITY_FOOTER}` }),
  'security.session-revoked': (d) => ({ subject: 'A session was ended', text: `A sign-in session of your account was ended.\n${line(d, 'reason', 'Reason')}${SECURITY_FOOTER}` }),
};
