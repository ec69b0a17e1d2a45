// The execution stack's HTTP API as the operator admin uses it. Opaque references and USD
// amounts only: nothing here can carry personal data.
import { createApiClient, type ApiClient } from '@bulwark/ui-kit';

export const api: ApiClient = createApiClient();

export type InstrumentKind = 'event' | 'security';

export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: string;
}

export const market = {
  instruments: async (signal?: AbortSignal) => (await api.get<{ instruments: Instrument[] }>('/v1/instruments', undefined, signal)).instruments,
};
