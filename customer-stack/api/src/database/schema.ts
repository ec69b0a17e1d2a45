// The customer database: its entities and the ordered list of migrations that build it.
import { OrderIntentEntity } from '../orders/order-intent.entity.js';
import { Wall1763700000000 } from '@bulwark/shared-contracts/platform';
import { OrderIntents1763700000001 } from './migrations/1763700000001-order-intents.js';

export const CUSTOMER_ENTITIES = [OrderIntentEntity];
export const CUSTOMER_MIGRATIONS = [Wall1763700000000, OrderIntents1763700000001];
