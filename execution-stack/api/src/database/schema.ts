// The execution database: its entities and the ordered list of migrations that build it.
// It holds opaque references and USD amounts only (proved by the schema PII test).
import { InstrumentEntity } from '../market/instrument.entity.js';
import { OmnibusIntentEntity } from '../intake/omnibus-intent.entity.js';
import { Wall1763700000000 } from '@bulwark/shared-contracts/platform';
import { Intake1763700000001 } from './migrations/1763700000001-intake.js';

export const EXECUTION_ENTITIES = [InstrumentEntity, OmnibusIntentEntity];
export const EXECUTION_MIGRATIONS = [Wall1763700000000, Intake1763700000001];
