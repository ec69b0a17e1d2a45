// Request bodies of the data-protection routes, validated with zod.
import { z } from 'zod';
import { BREACH_CATEGORIES, BREACH_SEVERITIES, BREACH_STATUSES, CONSENT_PURPOSES } from './privacy.entities.js';

export const ConsentInput = z.strictObject({
  purpose: z.enum(CONSENT_PURPOSES),
  granted: z.boolean(),
  source: z.string().regex(/^[a-z][a-z0-9_:.-]{1,63}$/).default('api'),
});
export type ConsentInput = z.infer<typeof ConsentInput>;

export const ErasureInput = z.strictObject({ reason: z.string().trim().min(3).max(500) });

export const BreachInput = z.strictObject({
  title: z.string().trim().min(3).max(200),
  description: z.string().trim().min(3).max(5_000),
  category: z.enum(BREACH_CATEGORIES),
  severity: z.enum(BREACH_SEVERITIES),
  affectedSubjects: z.int().min(0).max(100_000_000),
  detectedAt: z.iso.datetime(),
});
export type BreachInput = z.infer<typeof BreachInput>;

export const BreachUpdate = z
  .strictObject({
    status: z.enum(BREACH_STATUSES).optional(),
    severity: z.enum(BREACH_SEVERITIES).optional(),
    affectedSubjects: z.int().min(0).max(100_000_000).optional(),
    regulatorNotifiedAt: z.iso.datetime().optional(),
    subjectsNotifiedAt: z.iso.datetime().optional(),
  })
  .refine((update) => Object.keys(update).length > 0, 'at least one field');
export type BreachUpdate = z.infer<typeof BreachUpdate>;

export const RetentionInput = z.strictObject({
  category: z.string().regex(/^[a-z][a-z0-9_.-]{1,63}$/),
  retainDays: z.int().min(1).max(36_500),
});
export type RetentionInput = z.infer<typeof RetentionInput>;
