// The on-chain pre-trade check of a member order, plugged into the PRE_TRADE_CHECKS seam when
// the stack runs with a chain: before an order reaches the book, ChainService simulates
// (eth_call) the token transfer its settlement would make — a buy must be receivable by the
// member's wallet, a sell deliverable from it — so settlement never fails on compliance. Fails
// closed: while the chain is unreachable, no order is accepted.
import { ChainUnavailableError } from '../chain/chain-rpc.js';
import type { ChainService, PreTradeRefusal } from '../chain/chain.service.js';
import type { PreTradeCheck, PreTradeOrder, Refusal } from './pre-trade.js';

/** The refusal codes this check answers with: the chain's own, and the chain being unreachable. */
export type ChainPreTradeCode = PreTradeRefusal | 'chain_unavailable';

const MESSAGES: Readonly<Record<ChainPreTradeCode, string>> = {
  instrument_not_on_chain: 'The instrument has no token on chain yet, so no trade in it could settle.',
  unknown_wallet: 'The member has no registered settlement wallet.',
  paused: 'The instrument\'s token is paused.',
  sender_frozen: 'The delivering wallet is frozen.',
  receiver_frozen: 'The receiving wallet is frozen.',
  receiver_not_verified: 'The receiving wallet is not verified in the identity registry.',
  insufficient_unfrozen_balance: 'The wallet does not hold enough unfrozen tokens to deliver the quantity.',
  not_compliant: 'A compliance rule of the token (country, maximum balance, holders, lock-up) refuses the transfer.',
  chain_unavailable: 'The chain cannot be reached to check the settlement; orders are refused until it answers (fail closed).',
};

/** The settlement wallet of a member: an omnibus member settles in its tenant's wallet, any other in its own. */
export function memberWalletRef(order: Pick<PreTradeOrder, 'memberId' | 'memberKind' | 'tenantRef'>): string {
  return order.memberKind === 'omnibus' && order.tenantRef !== null ? order.tenantRef : order.memberId;
}

export function chainRefusal(code: ChainPreTradeCode): Refusal {
  return { code, message: MESSAGES[code] };
}

export class ChainPreTradeCheck implements PreTradeCheck {
  constructor(private readonly chain: Pick<ChainService, 'preTradeCheck'>) {}

  async check(order: PreTradeOrder): Promise<Refusal | null> {
    try {
      const refusal = await this.chain.preTradeCheck({ instrumentId: order.instrumentId, walletRef: memberWalletRef(order), side: order.side, quantity: order.quantity });
      return refusal === null ? null : chainRefusal(refusal);
    } catch (error) {
      if (error instanceof ChainUnavailableError) return chainRefusal('chain_unavailable');
      throw error;
    }
  }
}
