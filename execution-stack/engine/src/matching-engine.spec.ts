// Table-driven engine scenarios: each command is followed by the events it must emit, one
// line per event (see formatEvent), then the book it leaves behind.

import { describe, expect, it } from '@jest/globals';
import { StpMode, TimeInForce } from './engine-types.js';
import {
  advance,
  buy,
  buyStop,
  buyStopLimit,
  cancel,
  marketBuy,
  marketSell,
  owner,
  reference,
  replace,
  runScenario,
  sell,
  sellStop,
  sellStopLimit,
  type Scenario,
} from './testing/engine-scenario.fixture.js';

const { GTC, IOC, FOK, GTD } = TimeInForce;

const scenarios: Scenario[] = [
  // ---- limit ----
  {
    name: 'limit: rests when nothing crosses',
    transcript: [buy(1, 5, 100), 'accepted #1 buy limit 5@100'],
    book: 'bids 5@100(1) | asks -',
  },
  {
    name: 'limit: trades at the maker price and rests the remainder',
    transcript: [
      sell(1, 3, 100), 'accepted #1 sell limit 3@100',
      buy(2, 5, 102), 'accepted #2 buy limit 5@102', 'trade #1<-#2 3@100 left 0/2',
    ],
    book: 'bids 2@102(1) | asks -',
  },
  {
    name: 'limit: price priority across levels, time priority within a level',
    transcript: [
      sell(1, 2, 101), 'accepted #1 sell limit 2@101',
      sell(2, 2, 100), 'accepted #2 sell limit 2@100',
      sell(3, 2, 100), 'accepted #3 sell limit 2@100',
      buy(4, 5, 101), 'accepted #4 buy limit 5@101',
      'trade #2<-#4 2@100 left 0/3',
      'trade #3<-#4 2@100 left 0/1',
      'trade #1<-#4 1@101 left 1/0',
    ],
    book: 'bids - | asks 1@101(1)',
  },
  {
    name: 'limit: never trades through its limit price',
    transcript: [
      sell(1, 2, 101), 'accepted #1 sell limit 2@101',
      buy(2, 2, 100), 'accepted #2 buy limit 2@100',
    ],
    book: 'bids 2@100(1) | asks 2@101(1)',
  },
  // ---- market ----
  {
    name: 'market: sweeps levels and drops the unfilled remainder',
    transcript: [
      sell(1, 2, 100), 'accepted #1 sell limit 2@100',
      sell(2, 2, 105), 'accepted #2 sell limit 2@105',
      marketBuy(3, 6), 'accepted #3 buy market 6@0',
      'trade #1<-#3 2@100 left 0/4',
      'trade #2<-#3 2@105 left 0/2',
      'cancelled #3 2 left 0 market_remainder',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'market: an empty opposite side is refused',
    transcript: [
      buy(1, 5, 100), 'accepted #1 buy limit 5@100',
      marketBuy(2, 1), 'rejected #2 no_liquidity',
      marketSell(3, 2), 'accepted #3 sell market 2@0', 'trade #1<-#3 2@100 left 3/0',
    ],
    book: 'bids 3@100(1) | asks -',
  },
  {
    name: 'market: only IOC or FOK',
    transcript: [marketBuy(1, 1, { tif: GTC }), 'rejected #1 invalid_order', marketBuy(2, 1, { tif: GTD, expiryMs: 5 }), 'rejected #2 invalid_order'],
  },
  {
    name: 'market FOK: fills in full or is refused',
    transcript: [
      sell(1, 3, 100), 'accepted #1 sell limit 3@100',
      marketBuy(2, 4, { tif: FOK }), 'rejected #2 fok_unfillable',
      marketBuy(3, 3, { tif: FOK }), 'accepted #3 buy market 3@0', 'trade #1<-#3 3@100 left 0/0',
    ],
    book: 'bids - | asks -',
  },
  // ---- IOC / FOK ----
  {
    name: 'IOC: trades what crosses and cancels the rest',
    transcript: [
      sell(1, 2, 100), 'accepted #1 sell limit 2@100',
      buy(2, 5, 100, { tif: IOC }), 'accepted #2 buy limit 5@100', 'trade #1<-#2 2@100 left 0/3', 'cancelled #2 3 left 0 ioc_remainder',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'IOC: nothing crosses, everything is cancelled',
    transcript: [buy(1, 5, 100, { tif: IOC }), 'accepted #1 buy limit 5@100', 'cancelled #1 5 left 0 ioc_remainder'],
    book: 'bids - | asks -',
  },
  {
    name: 'FOK: refused when the depth within its limit is short, book untouched',
    transcript: [
      sell(1, 2, 100), 'accepted #1 sell limit 2@100',
      sell(2, 2, 102), 'accepted #2 sell limit 2@102',
      buy(3, 4, 101, { tif: FOK }), 'rejected #3 fok_unfillable',
    ],
    book: 'bids - | asks 2@100(1) 2@102(1)',
  },
  {
    name: 'FOK: fills in full across levels',
    transcript: [
      sell(1, 2, 100), 'accepted #1 sell limit 2@100',
      sell(2, 2, 101), 'accepted #2 sell limit 2@101',
      buy(3, 4, 101, { tif: FOK }), 'accepted #3 buy limit 4@101', 'trade #1<-#3 2@100 left 0/2', 'trade #2<-#3 2@101 left 0/0',
    ],
    book: 'bids - | asks -',
  },
  // ---- GTD and the clock ----
  {
    name: 'GTD: rests until the clock reaches expiryMs, then expires what is left',
    transcript: [
      advance(1000),
      buy(1, 5, 100, { tif: GTD, expiryMs: 2000 }), 'accepted #1 buy limit 5@100',
      sell(2, 2, 100), 'accepted #2 sell limit 2@100', 'trade #1<-#2 2@100 left 3/0',
      advance(1999),
      advance(2000), 'expired #1 3',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'GTD: refused when it arrives already expired',
    transcript: [advance(5000), buy(1, 5, 100, { tif: GTD, expiryMs: 5000 }), 'rejected #1 already_expired'],
  },
  {
    name: 'GTD: earlier expiry first, equal expiries in acceptance order; filled orders do not expire',
    transcript: [
      buy(2, 1, 100, { tif: GTD, expiryMs: 100 }), 'accepted #2 buy limit 1@100',
      buy(1, 1, 99, { tif: GTD, expiryMs: 100 }), 'accepted #1 buy limit 1@99',
      sell(3, 1, 200, { tif: GTD, expiryMs: 50 }), 'accepted #3 sell limit 1@200',
      sell(4, 1, 300, { tif: GTD, expiryMs: 60 }), 'accepted #4 sell limit 1@300',
      buy(5, 1, 300), 'accepted #5 buy limit 1@300', 'trade #3<-#5 1@200 left 0/0',
      advance(100), 'expired #4 1', 'expired #2 1', 'expired #1 1',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'clock: never moves backwards',
    transcript: [advance(10), advance(9), 'rejected #-1 time_went_backwards'],
  },
  // ---- post-only ----
  {
    name: 'post-only: rests when it does not cross',
    transcript: [
      sell(1, 1, 101), 'accepted #1 sell limit 1@101',
      buy(2, 5, 100, { postOnly: true }), 'accepted #2 buy limit 5@100',
    ],
    book: 'bids 5@100(1) | asks 1@101(1)',
  },
  {
    name: 'post-only: refused when it would take liquidity',
    transcript: [
      sell(1, 1, 101), 'accepted #1 sell limit 1@101',
      buy(2, 5, 101, { postOnly: true }), 'rejected #2 post_only_would_cross',
    ],
    book: 'bids - | asks 1@101(1)',
  },
  {
    name: 'post-only: only for limit orders that may rest',
    transcript: [
      buy(1, 5, 100, { postOnly: true, tif: IOC }), 'rejected #1 invalid_order',
      marketBuy(2, 1, { postOnly: true }), 'rejected #2 invalid_order',
      buyStopLimit(3, 1, 100, 100, { postOnly: true }), 'rejected #3 invalid_order',
    ],
  },
  // ---- self-trade prevention ----
  {
    name: 'STP cancel-newest: trades other owners first, then cancels the taker at its own order',
    transcript: [
      sell(1, 2, 100, owner(9)), 'accepted #1 sell limit 2@100',
      sell(2, 2, 100, owner(7)), 'accepted #2 sell limit 2@100',
      sell(3, 2, 100, owner(8)), 'accepted #3 sell limit 2@100',
      buy(4, 5, 100, owner(7, StpMode.CancelNewest)), 'accepted #4 buy limit 5@100',
      'trade #1<-#4 2@100 left 0/3',
      'cancelled #4 3 left 0 self_trade',
    ],
    book: 'bids - | asks 4@100(2)',
  },
  {
    name: 'STP cancel-oldest: cancels the resting own order and keeps matching',
    transcript: [
      sell(1, 2, 100, owner(9)), 'accepted #1 sell limit 2@100',
      sell(2, 2, 100, owner(7)), 'accepted #2 sell limit 2@100',
      sell(3, 2, 100, owner(8)), 'accepted #3 sell limit 2@100',
      buy(4, 5, 100, owner(7, StpMode.CancelOldest)), 'accepted #4 buy limit 5@100',
      'trade #1<-#4 2@100 left 0/3',
      'cancelled #2 2 left 0 self_trade',
      'trade #3<-#4 2@100 left 0/1',
    ],
    book: 'bids 1@100(1) | asks -',
  },
  {
    name: 'STP cancel-both: cancels the resting own order and the taker',
    transcript: [
      sell(1, 2, 100, owner(9)), 'accepted #1 sell limit 2@100',
      sell(2, 2, 100, owner(7)), 'accepted #2 sell limit 2@100',
      sell(3, 2, 100, owner(8)), 'accepted #3 sell limit 2@100',
      buy(4, 5, 100, owner(7, StpMode.CancelBoth)), 'accepted #4 buy limit 5@100',
      'trade #1<-#4 2@100 left 0/3',
      'cancelled #2 2 left 0 self_trade',
      'cancelled #4 3 left 0 self_trade',
    ],
    book: 'bids - | asks 2@100(1)',
  },
  {
    name: 'STP decrement: both orders shrink by the smaller size, nothing trades between them',
    transcript: [
      sell(1, 2, 100, owner(7)), 'accepted #1 sell limit 2@100',
      sell(2, 4, 100, owner(8)), 'accepted #2 sell limit 4@100',
      buy(3, 5, 100, owner(7, StpMode.Decrement)), 'accepted #3 buy limit 5@100',
      'cancelled #1 2 left 0 self_trade',
      'cancelled #3 2 left 3 self_trade',
      'trade #2<-#3 3@100 left 1/0',
    ],
    book: 'bids - | asks 1@100(1)',
  },
  {
    name: 'STP decrement: a larger resting own order is reduced and keeps its place',
    transcript: [
      sell(1, 5, 100, owner(7)), 'accepted #1 sell limit 5@100',
      buy(2, 2, 100, owner(7, StpMode.Decrement)), 'accepted #2 buy limit 2@100',
      'cancelled #1 2 left 3 self_trade',
      'cancelled #2 2 left 0 self_trade',
    ],
    book: 'bids - | asks 3@100(1)',
  },
  {
    name: 'STP: anonymous orders (owner 0) and STP mode none may meet themselves',
    transcript: [
      sell(1, 1, 100), 'accepted #1 sell limit 1@100',
      buy(2, 1, 100), 'accepted #2 buy limit 1@100', 'trade #1<-#2 1@100 left 0/0',
      sell(3, 1, 100, owner(7)), 'accepted #3 sell limit 1@100',
      buy(4, 1, 100, owner(7, StpMode.None)), 'accepted #4 buy limit 1@100', 'trade #3<-#4 1@100 left 0/0',
    ],
  },
  {
    name: 'STP with FOK: an own order in the way refuses the order unless cancel-oldest clears it',
    transcript: [
      sell(1, 2, 100, owner(7)), 'accepted #1 sell limit 2@100',
      sell(2, 5, 100, owner(8)), 'accepted #2 sell limit 5@100',
      buy(3, 5, 100, { tif: FOK, ...owner(7) }), 'rejected #3 self_trade',
      buy(4, 5, 100, { tif: FOK, ...owner(7, StpMode.CancelOldest) }), 'accepted #4 buy limit 5@100',
      'cancelled #1 2 left 0 self_trade',
      'trade #2<-#4 5@100 left 0/0',
    ],
    book: 'bids - | asks -',
  },
  // ---- cancel and replace ----
  {
    name: 'cancel: removes a resting order; unknown and repeated cancels are refused',
    transcript: [
      buy(1, 5, 100), 'accepted #1 buy limit 5@100',
      cancel(1), 'cancelled #1 5 left 0 requested',
      cancel(1), 'rejected #1 unknown_order',
      cancel(42), 'rejected #42 unknown_order',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'replace: a size reduction at the same price keeps time priority',
    transcript: [
      sell(1, 5, 100), 'accepted #1 sell limit 5@100',
      sell(2, 5, 100), 'accepted #2 sell limit 5@100',
      replace(1, 100, 3), 'replaced #1 3@100 kept priority',
      marketBuy(3, 4), 'accepted #3 buy market 4@0', 'trade #1<-#3 3@100 left 0/1', 'trade #2<-#3 1@100 left 4/0',
    ],
    book: 'bids - | asks 4@100(1)',
  },
  {
    name: 'replace: a size increase loses time priority',
    transcript: [
      sell(1, 5, 100), 'accepted #1 sell limit 5@100',
      sell(2, 5, 100), 'accepted #2 sell limit 5@100',
      replace(1, 100, 6), 'replaced #1 6@100 lost priority',
      marketBuy(3, 4), 'accepted #3 buy market 4@0', 'trade #2<-#3 4@100 left 1/0',
    ],
    book: 'bids - | asks 7@100(2)',
  },
  {
    name: 'replace: a price change loses priority and may trade as a taker',
    transcript: [
      buy(1, 5, 99), 'accepted #1 buy limit 5@99',
      sell(2, 3, 101), 'accepted #2 sell limit 3@101',
      replace(1, 101, 5), 'replaced #1 5@101 lost priority', 'trade #2<-#1 3@101 left 0/2',
    ],
    book: 'bids 2@101(1) | asks -',
  },
  {
    name: 'replace: refused for unknown orders, pending stops, bad sizes and post-only crossings',
    transcript: [
      replace(9, 100, 1), 'rejected #9 unknown_order',
      buyStop(1, 1, 200), 'accepted #1 buy stop 1@0',
      replace(1, 100, 1), 'rejected #1 not_replaceable',
      buy(2, 5, 100), 'accepted #2 buy limit 5@100',
      replace(2, 100, 0), 'rejected #2 bad_lot',
      replace(2, 1001, 1), 'rejected #2 price_out_of_band',
      sell(3, 1, 102, { postOnly: true }), 'accepted #3 sell limit 1@102',
      replace(3, 100, 1), 'rejected #3 post_only_would_cross',
    ],
    book: 'bids 5@100(1) | asks 1@102(1)',
  },
  // ---- bands, ticks, lots, ids, capacity ----
  {
    name: 'static band: prices outside [priceTicksMin, priceTicksMax] are refused',
    transcript: [
      buy(1, 1, 0), 'rejected #1 price_out_of_band',
      sell(2, 1, 1001), 'rejected #2 price_out_of_band',
      sell(3, 1, 1000), 'accepted #3 sell limit 1@1000',
      buyStop(4, 1, 1001), 'rejected #4 price_out_of_band',
    ],
  },
  {
    name: 'dynamic band: ± bandTicks around the reference price, which can move',
    config: { bandTicks: 10, referencePriceTicks: 500 },
    transcript: [
      buy(1, 1, 489), 'rejected #1 price_out_of_band',
      buy(2, 1, 490), 'accepted #2 buy limit 1@490',
      sell(3, 1, 510), 'accepted #3 sell limit 1@510',
      sell(4, 1, 511), 'rejected #4 price_out_of_band',
      reference(600),
      buy(5, 1, 590), 'accepted #5 buy limit 1@590', 'trade #3<-#5 1@510 left 0/0',
      reference(1001), 'rejected #-1 price_out_of_band',
    ],
    book: 'bids 1@490(1) | asks -',
  },
  {
    name: 'dynamic band: a market order does not sweep beyond it',
    config: { bandTicks: 10, referencePriceTicks: 500 },
    transcript: [
      sell(1, 2, 505), 'accepted #1 sell limit 2@505',
      sell(2, 2, 510), 'accepted #2 sell limit 2@510',
      reference(495),
      marketBuy(3, 5), 'accepted #3 buy market 5@0', 'trade #1<-#3 2@505 left 0/3', 'cancelled #3 3 left 0 market_remainder',
    ],
    book: 'bids - | asks 2@510(1)',
  },
  {
    name: 'ticks and lots: whole numbers only, sizes within orderLotsMax',
    transcript: [
      buy(1, 1, 100.5), 'rejected #1 bad_tick',
      buy(2, 0, 100), 'rejected #2 bad_lot',
      buy(3, 1.5, 100), 'rejected #3 bad_lot',
      buy(4, 1001, 100), 'rejected #4 bad_lot',
      buy(5, 1000, 100), 'accepted #5 buy limit 1000@100',
      buyStop(6, 1, 100.5), 'rejected #6 bad_tick',
    ],
  },
  {
    name: 'ids: duplicates among live orders and invalid ids are refused; a finished id may return',
    transcript: [
      buy(1, 1, 100), 'accepted #1 buy limit 1@100',
      buy(1, 1, 99), 'rejected #1 duplicate_id',
      buy(-1, 1, 99), 'rejected #-1 invalid_order',
      buy(2, 1, 99, { ownerId: -1 }), 'rejected #2 invalid_order',
      buy(3, 1, 99, { stp: 9 as StpMode }), 'rejected #3 invalid_order',
      buy(4, 1, 99, { tif: 7 as TimeInForce }), 'rejected #4 invalid_order',
      cancel(1), 'cancelled #1 1 left 0 requested',
      buy(1, 1, 99), 'accepted #1 buy limit 1@99',
    ],
    book: 'bids 1@99(1) | asks -',
  },
  {
    name: 'capacity: the pool refuses orders beyond ordersMax',
    config: { ordersMax: 2 },
    transcript: [
      buy(1, 1, 100), 'accepted #1 buy limit 1@100',
      buyStop(2, 1, 200), 'accepted #2 buy stop 1@0',
      buy(3, 1, 99), 'rejected #3 book_full',
      cancel(1), 'cancelled #1 1 left 0 requested',
      buy(3, 1, 99), 'accepted #3 buy limit 1@99',
    ],
  },
  // ---- stops ----
  {
    name: 'stop: a buy stop triggers when the last trade reaches it and sweeps as a market order',
    transcript: [
      sell(1, 1, 100), 'accepted #1 sell limit 1@100',
      sell(2, 3, 105), 'accepted #2 sell limit 3@105',
      buyStop(3, 2, 100), 'accepted #3 buy stop 2@0',
      buy(4, 1, 100), 'accepted #4 buy limit 1@100', 'trade #1<-#4 1@100 left 0/0',
      'triggered #3 at 100',
      'trade #2<-#3 2@105 left 1/0',
    ],
    book: 'bids - | asks 1@105(1)',
  },
  {
    name: 'stop-limit: a sell stop-limit triggers at or below its stop and rests as a limit order',
    transcript: [
      buy(1, 1, 100), 'accepted #1 buy limit 1@100',
      sellStopLimit(2, 5, 100, 99), 'accepted #2 sell stop_limit 5@99',
      sell(3, 1, 100), 'accepted #3 sell limit 1@100', 'trade #1<-#3 1@100 left 0/0',
      'triggered #2 at 100',
    ],
    book: 'bids - | asks 5@99(1)',
  },
  {
    name: 'stop-limit: a buy stop-limit that triggers trades up to its limit only',
    transcript: [
      sell(1, 1, 100), 'accepted #1 sell limit 1@100',
      sell(2, 1, 101), 'accepted #2 sell limit 1@101',
      sell(3, 1, 103), 'accepted #3 sell limit 1@103',
      buyStopLimit(4, 3, 100, 101), 'accepted #4 buy stop_limit 3@101',
      buy(5, 1, 100), 'accepted #5 buy limit 1@100', 'trade #1<-#5 1@100 left 0/0',
      'triggered #4 at 100', 'trade #2<-#4 1@101 left 0/2',
    ],
    book: 'bids 2@101(1) | asks 1@103(1)',
  },
  {
    name: 'stop: waits while no trade reaches it, triggers at once if the last trade is already beyond',
    transcript: [
      buyStop(1, 1, 100), 'accepted #1 buy stop 1@0',
      sell(2, 1, 50), 'accepted #2 sell limit 1@50',
      buy(3, 1, 50), 'accepted #3 buy limit 1@50', 'trade #2<-#3 1@50 left 0/0',
      sell(4, 2, 120), 'accepted #4 sell limit 2@120',
      buy(5, 1, 120), 'accepted #5 buy limit 1@120', 'trade #4<-#5 1@120 left 1/0',
      'triggered #1 at 120', 'trade #4<-#1 1@120 left 0/0',
      buyStop(6, 1, 110), 'accepted #6 buy stop 1@0', 'triggered #6 at 120', 'cancelled #6 1 left 0 market_remainder',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'stop cascade: trades of one triggered stop trigger the next',
    transcript: [
      sell(1, 1, 100), 'accepted #1 sell limit 1@100',
      sell(2, 1, 101), 'accepted #2 sell limit 1@101',
      sell(3, 1, 102), 'accepted #3 sell limit 1@102',
      buyStop(4, 1, 100), 'accepted #4 buy stop 1@0',
      buyStop(5, 1, 101), 'accepted #5 buy stop 1@0',
      buyStop(6, 1, 150), 'accepted #6 buy stop 1@0',
      buy(7, 1, 100), 'accepted #7 buy limit 1@100', 'trade #1<-#7 1@100 left 0/0',
      'triggered #4 at 100', 'trade #2<-#4 1@101 left 0/0',
      'triggered #5 at 101', 'trade #3<-#5 1@102 left 0/0',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'stop cascade: sell stops trigger highest first',
    transcript: [
      buy(1, 1, 100), 'accepted #1 buy limit 1@100',
      buy(2, 1, 99), 'accepted #2 buy limit 1@99',
      sellStop(3, 1, 98), 'accepted #3 sell stop 1@0',
      sellStop(4, 1, 100), 'accepted #4 sell stop 1@0',
      sell(5, 1, 100), 'accepted #5 sell limit 1@100', 'trade #1<-#5 1@100 left 0/0',
      'triggered #4 at 100', 'trade #2<-#4 1@99 left 0/0',
    ],
    book: 'bids - | asks -',
  },
  {
    name: 'stops: pending stops can be cancelled, GTD stops expire, a market stop waits GTC or GTD',
    transcript: [
      buyStop(1, 1, 100), 'accepted #1 buy stop 1@0',
      cancel(1), 'cancelled #1 1 left 0 requested',
      buyStop(2, 1, 100, { tif: GTD, expiryMs: 10 }), 'accepted #2 buy stop 1@0',
      advance(10), 'expired #2 1',
      buyStop(3, 1, 100, { tif: IOC }), 'rejected #3 invalid_order',
    ],
  },
  {
    name: 'stop-limit FOK: refused at trigger time when it cannot fill in full',
    transcript: [
      sell(1, 1, 100), 'accepted #1 sell limit 1@100',
      sell(2, 1, 101), 'accepted #2 sell limit 1@101',
      buyStopLimit(3, 5, 100, 101, { tif: FOK }), 'accepted #3 buy stop_limit 5@101',
      buy(4, 1, 100), 'accepted #4 buy limit 1@100', 'trade #1<-#4 1@100 left 0/0',
      'triggered #3 at 100', 'cancelled #3 5 left 0 fok_unfillable',
    ],
    book: 'bids - | asks 1@101(1)',
  },
];

describe('MatchingEngine scenarios', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    const run = runScenario(scenario);
    expect(run.actual).toEqual(run.expected);
    if (scenario.book !== undefined) expect(run.book).toBe(scenario.book);
  });
});
