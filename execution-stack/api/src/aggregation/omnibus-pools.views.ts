// What the omnibus pool routes answer, as plain types: the one definition the service returns and
// the operator admin reads. Only other views are imported, so the browser build can take it
// (`import type`) without pulling in any server code.
import type { AllocationLine } from '../allocation/allocation.views.js';

export type OmnibusOrderStatus = 'new' | 'working' | 'done';

export interface WaitingPool {
  readonly tenantRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly limitPrice: string;
  readonly timeInForce: string;
  readonly intents: number;
  readonly quantity: string;
  readonly oldestAcceptedAt: string;
}

export interface OmnibusOrderView {
  readonly orderRef: string;
  readonly tenantRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly limitPrice: string;
  readonly timeInForce: string;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly venue: string;
  readonly status: OmnibusOrderStatus;
  readonly intents: number;
  readonly allocatedQuantity: string;
  readonly createdAt: string;
}

export interface OmnibusOrderDetail {
  readonly order: OmnibusOrderView;
  readonly intents: readonly { intentId: string; seq: string; accountRef: string; quantity: string; openQuantity: string; status: string }[];
  readonly fills: readonly { fillRef: string; venue: string; price: string; quantity: string; roundRef: string | null; tradedAt: string }[];
  readonly allocations: readonly AllocationLine[];
}
