export { assert, EngineAssertionError } from './assert.js';
export {
  CancelReason,
  newOrder,
  OrderType,
  RejectCode,
  rejectMessages,
  Side,
  StpMode,
  TimeInForce,
  type CommandResult,
  type EngineCommand,
  type NewOrder,
} from './engine-types.js';
export {
  decimalToUnits,
  lotsToQuantity,
  priceToTicks,
  quantityToLots,
  ticksToPrice,
  unitsToDecimal,
  type UnitsResult,
} from './decimal-scale.js';
export { parseInstrumentConfig, levelsMax, ordersLimitMax, orderLotsLimitMax, type InstrumentConfig } from './instrument-config.js';
export { CountingEventSink, RecordingEventSink, type EngineEvent, type EngineEventSink } from './event-sink.js';
export { MatchingEngine, type DepthLevel, type EngineSnapshot, type SnapshotOrder } from './matching-engine.js';
export { CommandJournal, replayJournal, type JournalEntry } from './command-journal.js';
