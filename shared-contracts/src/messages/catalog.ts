// The catalog of wall messages: name → direction and schema. Subjects are derived from it
// (`bulwark.<direction>.<name>`), as are the JSON Schemas and the PII guard's numeric paths.
import { z, type ZodType } from 'zod';
import type { Direction } from '../envelope/keyring.js';
import type { ContractLookup, MessageContract } from '../envelope/envelope.js';
import {
  AllocationV1, AuditAnchorRequestV1, AuditAnchoredV1, IntentAcceptedV1, IntentCancelV1, IntentClosedV1, IntentRejectedV1,
  IntentSubmittedV1, PayoutV1, StatementV1,
} from './messages.js';

export const SUBJECT_PREFIX = 'bulwark';

export const MESSAGE_CATALOG = {
  'intent.submitted.v1': { direction: 'c2e', schema: IntentSubmittedV1 },
  'intent.cancel.v1': { direction: 'c2e', schema: IntentCancelV1 },
  'audit.anchor-request.v1': { direction: 'c2e', schema: AuditAnchorRequestV1 },
  'intent.accepted.v1': { direction: 'e2c', schema: IntentAcceptedV1 },
  'intent.rejected.v1': { direction: 'e2c', schema: IntentRejectedV1 },
  'intent.closed.v1': { direction: 'e2c', schema: IntentClosedV1 },
  'allocation.v1': { direction: 'e2c', schema: AllocationV1 },
  'payout.v1': { direction: 'e2c', schema: PayoutV1 },
  'statement.v1': { direction: 'e2c', schema: StatementV1 },
  'audit.anchored.v1': { direction: 'e2c', schema: AuditAnchoredV1 },
} as const satisfies Record<string, { direction: Direction; schema: ZodType }>;

export type MessageType = keyof typeof MESSAGE_CATALOG;
export type MessageBody<T extends MessageType> = z.output<(typeof MESSAGE_CATALOG)[T]['schema']>;
export type OutboundType<D extends Direction> = {
  [K in MessageType]: (typeof MESSAGE_CATALOG)[K]['direction'] extends D ? K : never;
}[MessageType];

export const MESSAGE_TYPES = Object.keys(MESSAGE_CATALOG) as MessageType[];

export function subjectOf(type: MessageType): string {
  return `${SUBJECT_PREFIX}.${MESSAGE_CATALOG[type].direction}.${type}`;
}

export function directionSubjects(direction: Direction): string {
  return `${SUBJECT_PREFIX}.${direction}.>`;
}

export function jsonSchemaOf(type: MessageType): Record<string, unknown> {
  const schema = z.toJSONSchema(MESSAGE_CATALOG[type].schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' });
  return { $id: `https://bulwark.example/schemas/${type}.json`, title: type, ...schema };
}

type JsonSchemaNode = { type?: string; format?: string; properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode };

/** Paths (`$.a.b`, `$.list[].x`) of fields the schema declares numeric: decimals and integers. */
export function numericPathsOf(jsonSchema: JsonSchemaNode, path = '$', out = new Set<string>()): Set<string> {
  if (jsonSchema.type === 'integer' || jsonSchema.type === 'number' || jsonSchema.format === 'decimal') out.add(path);
  for (const [key, child] of Object.entries(jsonSchema.properties ?? {})) numericPathsOf(child, `${path}.${key}`, out);
  if (jsonSchema.items) numericPathsOf(jsonSchema.items, `${path}[]`, out);
  return out;
}

const contractsBySubject: ReadonlyMap<string, MessageContract> = new Map(
  MESSAGE_TYPES.map((type) => {
    const entry = MESSAGE_CATALOG[type];
    const contract: MessageContract = {
      type,
      direction: entry.direction,
      schema: entry.schema,
      numericPaths: numericPathsOf(jsonSchemaOf(type) as JsonSchemaNode),
    };
    return [subjectOf(type), contract] as const;
  }),
);

/** The receiver's lookup from a delivered subject to its contract. */
export const wallContracts: ContractLookup = (subject) => contractsBySubject.get(subject);
