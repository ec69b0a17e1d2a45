import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ZeroHash, id } from 'ethers';
import { deployContract } from '../src/index.js';
import { expectRevert, startChain } from './fixture.js';

let chain;
let anchor;
let admin;
let anchorer;
let outsider;
let anchorerRole;

beforeAll(async () => {
  chain = await startChain();
  [admin, anchorer, outsider] = chain.signers;
  ({ contract: anchor } = await deployContract(admin, 'AuditAnchor', [await admin.getAddress(), await anchorer.getAddress()]));
  anchorerRole = await anchor.ANCHORER_ROLE();
});
afterAll(async () => {
  await chain?.close();
});
beforeEach(() => chain.snapshot());
afterEach(() => chain.revert());

const ROOT = id('batch-1-root');

describe('AuditAnchor', () => {
  it('stores the root of a batch and emits RootAnchored with the block time', async () => {
    const receipt = await (await anchor.connect(anchorer).anchor(1n, ROOT, 250n)).wait();
    const block = await chain.provider.getBlock(receipt.blockNumber);
    const [event] = receipt.logs.map((l) => anchor.interface.parseLog(l));
    expect(event.name).toBe('RootAnchored');
    expect([...event.args]).toEqual([1n, ROOT, 250n, BigInt(block.timestamp)]);
    expect(await anchor.rootOf(1n)).toBe(ROOT);
    expect([...(await anchor.anchorOf(1n))]).toEqual([ROOT, 250n, BigInt(block.timestamp)]);
    expect(await anchor.batchCount()).toBe(1n);
    expect(await anchor.rootOf(2n)).toBe(ZeroHash);
  });

  it('refuses to anchor a batch id twice, even with the same root', async () => {
    await (await anchor.connect(anchorer).anchor(7n, ROOT, 1n)).wait();
    await expectRevert(anchor.connect(anchorer).anchor(7n, id('other'), 1n), 'BatchAlreadyAnchored', [7n, ROOT]);
    await expectRevert(anchor.connect(anchorer).anchor(7n, ROOT, 1n), 'BatchAlreadyAnchored', [7n, ROOT]);
  });

  it('refuses a caller without the anchorer role, the admin included', async () => {
    for (const caller of [outsider, admin]) {
      await expectRevert(anchor.connect(caller).anchor(1n, ROOT, 1n), 'AccessControlUnauthorizedAccount', [
        await caller.getAddress(),
        anchorerRole,
      ]);
    }
  });

  it('refuses an empty root or an empty batch', async () => {
    await expectRevert(anchor.connect(anchorer).anchor(1n, ZeroHash, 1n), 'EmptyRoot');
    await expectRevert(anchor.connect(anchorer).anchor(1n, ROOT, 0n), 'EmptyBatch');
  });

  it('lets the admin appoint and revoke anchorers', async () => {
    await (await anchor.grantRole(anchorerRole, await outsider.getAddress())).wait();
    await (await anchor.connect(outsider).anchor(3n, ROOT, 1n)).wait();
    await (await anchor.revokeRole(anchorerRole, await outsider.getAddress())).wait();
    await expectRevert(anchor.connect(outsider).anchor(4n, ROOT, 1n), 'AccessControlUnauthorizedAccount');
  });
});
