import { describe, expect, it } from '@jest/globals';
import { ChainUnavailableError } from '../chain/chain-rpc.js';
import type { PreTradeRefusal } from '../chain/chain.service.js';
import { ChainPreTradeCheck, memberWalletRef } from './chain-pre-trade.check.js';
import type { PreTradeOrder } from './pre-trade.js';

const MEMBER = '0c6f4b57-6f0e-4d7e-9a53-5a3c2f1f8a01';
const TENANT = '5b1d2c3e-4f50-4a61-8b72-9c83d4e5f607';
const order = (over: Partial<PreTradeOrder> = {}): PreTradeOrder => ({
  memberId: MEMBER, ownerNo: 7, memberKind: 'market_maker', tenantRef: null, instrumentId: 'a7f1e0c2-1d3b-4c5d-8e9f-0a1b2c3d4e5f',
  side: 'buy', quantity: '5', worstPrice: '10', ...over,
});

/** The chain as the check sees it: one answer (or failure) per call, recording what was asked. */
function chainAnswering(answer: () => Promise<PreTradeRefusal | null>) {
  const asked: unknown[] = [];
  return { asked, chain: { preTradeCheck: (input: unknown) => (asked.push(input), answer()) } };
}

describe('memberWalletRef', () => {
  it.each([
    ['a market maker settles in its own wallet', order(), MEMBER],
    ['an omnibus member settles in its tenant\'s wallet', order({ memberKind: 'omnibus', tenantRef: TENANT }), TENANT],
  ])('%s', (_what, o, expected) => expect(memberWalletRef(o)).toBe(expected));
});

describe('ChainPreTradeCheck', () => {
  it.each<[string, () => Promise<PreTradeRefusal | null>, string | null]>([
    ['a transfer the token would allow passes', async () => null, null],
    ['a frozen receiving wallet refuses with its code', async () => 'receiver_frozen', 'receiver_frozen'],
    ['an unverified receiver refuses with its code', async () => 'receiver_not_verified', 'receiver_not_verified'],
    ['an unreachable chain refuses (fail closed)', async () => { throw new ChainUnavailableError('ECONNREFUSED'); }, 'chain_unavailable'],
  ])('%s', async (_what, answer, code) => {
    const { asked, chain } = chainAnswering(answer);
    const refusal = await new ChainPreTradeCheck(chain).check(order({ side: 'sell', quantity: '2.5' }));
    expect(refusal?.code ?? null).toBe(code);
    if (refusal) expect(refusal.message.length).toBeGreaterThan(10);
    expect(asked).toEqual([{ instrumentId: order().instrumentId, walletRef: MEMBER, side: 'sell', quantity: '2.5' }]);
  });

  it('lets any other failure through: it is a bug, not a refusal', async () => {
    const { chain } = chainAnswering(async () => { throw new TypeError('boom'); });
    await expect(new ChainPreTradeCheck(chain).check(order())).rejects.toThrow('boom');
  });
});
