// Request bodies, validated with zod: a bad body is a 400 naming the fields, never a 500.
import { z } from 'zod';
import { AuthError } from './auth.errors.js';
import { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN } from './passwords.js';
import { STAFF_ROLES } from './permissions.js';

const EMAIL_LENGTH_MAX = 254;
const email = z.email().max(EMAIL_LENGTH_MAX);
const password = z.string().min(PASSWORD_LENGTH_MIN).max(PASSWORD_LENGTH_MAX);
const code = z.string().regex(/^\d{6}$/, 'a 6-digit code');
/** 'cookie' (the SPA: HttpOnly cookies) or 'token' (API clients: tokens in the body, Bearer). */
const transportChoice = z.enum(['cookie', 'token']);
const transport = transportChoice.default('cookie');

export const RegisterBody = z.strictObject({ tenantId: z.uuid(), email, password });
export const LoginBody = z.strictObject({ tenantId: z.uuid(), email, password: z.string().min(1).max(PASSWORD_LENGTH_MAX), transport });
export const MfaVerifyBody = z.strictObject({ mfaToken: z.string().min(1).max(4_096), code, transport });
export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200).optional(), transport: transportChoice.optional() });
export const TotpCodeBody = z.strictObject({ code });
const staffRoles = z.array(z.enum(STAFF_ROLES)).min(1).max(STAFF_ROLES.length);
export const CreateStaffBody = z.strictObject({ email, password, roles: staffRoles });
export const RolesBody = z.strictObject({ roles: staffRoles });

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new AuthError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
