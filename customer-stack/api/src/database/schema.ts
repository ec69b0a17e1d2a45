// The customer database: its entities and the ordered list of migrations that build it.
import { OrderIntentEntity } from '../orders/order-intent.entity.js';
import { AUTH_ENTITIES } from '../auth/auth.entities.js';
import { NOTIFICATION_ENTITIES } from '../notifications/notification.entities.js';
import { Wall1763700000000 } from '@bulwark/shared-contracts/platform';
import { OrderIntents1763700000001 } from './migrations/1763700000001-order-intents.js';
import { Auth1763810000000 } from './migrations/1763810000000-auth.js';
import { Notifications1763810000001 } from './migrations/1763810000001-notifications.js';

export const CUSTOMER_ENTITIES = [OrderIntentEntity, ...AUTH_ENTITIES, ...NOTIFICATION_ENTITIES];
export const CUSTOMER_MIGRATIONS = [Wall1763700000000, OrderIntents1763700000001, Auth1763810000000, Notifications1763810000001];
