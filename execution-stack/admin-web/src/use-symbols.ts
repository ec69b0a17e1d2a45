// Instrument symbols for screens that show instrument ids (pools, chain): read once from the
// public instrument list; an id not (yet) known shows shortened.
import { useResource } from '@bulwark/ui-kit';
import { market, type Instrument } from './execution-api';

export function useSymbols(): (instrumentId: string) => string {
  const handle = useResource((signal) => market.instruments(signal), []);
  const list: readonly Instrument[] = handle.resource.status === 'ready' ? handle.resource.data : [];
  return (id) => list.find((i) => i.id === id)?.symbol ?? `${id.slice(0, 8)}…`;
}
