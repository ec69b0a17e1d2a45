// Helpers for table-driven engine tests: compact command builders, one-line event
// formatting, and a runner that checks a transcript of commands and their expected events.

import type { EngineEvent } from '../event-sink.js';
import { RecordingEventSink } from '../event-sink.js';
import { newOrder, OrderType, Side, StpMode, TimeInForce, type EngineCommand, type NewOrder } from '../engine-types.js';
import type { InstrumentConfig } from '../instrument-config.js';
import { MatchingEngine } from '../matching-engine.js';

export const testConfig: InstrumentConfig = {
  symbol: 'TEST',
  tickSize: '0.01',
  lotSize: '1',
  priceTicksMin: 1,
  priceTicksMax: 1000,
  bandTicks: 0,
  referencePriceTicks: null,
  ordersMax: 64,
  orderLotsMax: 1000,
};

type Extra = Partial<Omit<NewOrder, 'id' | 'side' | 'lots'>>;

function submit(id: number, side: Side, lots: number, extra: Extra): EngineCommand {
  return { kind: 'submit', order: newOrder({ id, side, lots, ...extra }) };
}

export const buy = (id: number, lots: number, priceTicks: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Buy, lots, { priceTicks, ...extra });
export const sell = (id: number, lots: number, priceTicks: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Sell, lots, { priceTicks, ...extra });
export const marketBuy = (id: number, lots: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Buy, lots, { type: OrderType.Market, tif: TimeInForce.IOC, ...extra });
export const marketSell = (id: number, lots: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Sell, lots, { type: OrderType.Market, tif: TimeInForce.IOC, ...extra });
export const buyStop = (id: number, lots: number, stopPriceTicks: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Buy, lots, { type: OrderType.Stop, stopPriceTicks, ...extra });
export const sellStop = (id: number, lots: number, stopPriceTicks: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Sell, lots, { type: OrderType.Stop, stopPriceTicks, ...extra });
export const buyStopLimit = (id: number, lots: number, stopPriceTicks: number, priceTicks: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Buy, lots, { type: OrderType.StopLimit, stopPriceTicks, priceTicks, ...extra });
export const sellStopLimit = (id: number, lots: number, stopPriceTicks: number, priceTicks: number, extra: Extra = {}): EngineCommand =>
  submit(id, Side.Sell, lots, { type: OrderType.StopLimit, stopPriceTicks, priceTicks, ...extra });
export const cancel = (id: number): EngineCommand => ({ kind: 'cancel', id });
export const replace = (id: number, priceTicks: number, lots: number): EngineCommand => ({ kind: 'replace', id, priceTicks, lots });
export const advance = (nowMs: number): EngineCommand => ({ kind: 'advance_time', nowMs });
export const reference = (priceTicks: number): EngineCommand => ({ kind: 'set_reference_price', priceTicks });
export const owner = (ownerId: number, stp: StpMode = StpMode.CancelNewest): Extra => ({ ownerId, stp });

const sideName = ['buy', 'sell'];
const typeName = ['limit', 'market', 'stop', 'stop_limit'];

export function formatEvent(e: EngineEvent): string {
  switch (e.kind) {
    case 'accepted':
      return `accepted #${e.orderId} ${sideName[e.side] ?? '?'} ${typeName[e.type] ?? '?'} ${e.lots}@${e.priceTicks}`;
    case 'rejected':
      return `rejected #${e.orderId} ${e.code}`;
    case 'trade':
      return `trade #${e.makerId}<-#${e.takerId} ${e.lots}@${e.priceTicks} left ${e.makerRemainingLots}/${e.takerRemainingLots}`;
    case 'cancelled':
      return `cancelled #${e.orderId} ${e.lots} left ${e.remainingLots} ${e.reason}`;
    case 'expired':
      return `expired #${e.orderId} ${e.lots}`;
    case 'triggered':
      return `triggered #${e.orderId} at ${e.lastPriceTicks}`;
    case 'replaced':
      return `replaced #${e.orderId} ${e.lots}@${e.priceTicks} ${e.priorityKept ? 'kept' : 'lost'} priority`;
  }
}

/** "bids 5@100(1) 3@99(2) | asks 4@101(1)": lots@price(orders), best first. */
export function formatBook(engine: MatchingEngine): string {
  const side = (s: Side): string =>
    engine
      .depth(s, 100)
      .map((l) => `${l.lots}@${l.priceTicks}(${l.orders})`)
      .join(' ') || '-';
  return `bids ${side(Side.Buy)} | asks ${side(Side.Sell)}`;
}

export interface Scenario {
  name: string;
  config?: Partial<InstrumentConfig>;
  /** A command followed by the events it must emit, one line per event. */
  transcript: (EngineCommand | string)[];
  /** The book after the transcript. */
  book?: string;
}

export interface ScenarioRun {
  actual: string[];
  expected: string[];
  book: string;
  engine: MatchingEngine;
}

/** Runs a transcript; returns actual and expected lines, each prefixed by its command index. */
export function runScenario(scenario: Scenario): ScenarioRun {
  const sink = new RecordingEventSink();
  const engine = new MatchingEngine({ ...testConfig, ...scenario.config }, sink);
  const actual: string[] = [];
  const expected: string[] = [];
  let step = -1;
  for (const item of scenario.transcript) {
    if (typeof item === 'string') {
      expected.push(`${step}: ${item}`);
      continue;
    }
    step += 1;
    engine.apply(item);
    engine.checkInvariants();
    for (const e of sink.drain()) actual.push(`${step}: ${formatEvent(e)}`);
  }
  return { actual, expected, book: formatBook(engine), engine };
}
