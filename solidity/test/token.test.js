import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ZeroAddress } from 'ethers';
import { deployContract } from '../src/index.js';
import { deployFixture, expectRevert, mineReverting, startChain } from './fixture.js';

let chain;
let f;

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  await (await f.asAgent.batchMint([f.addr.alice, f.addr.bob], [1_000n, 500n])).wait();
});
afterAll(async () => {
  await chain?.close();
});
beforeEach(() => chain.snapshot());
afterEach(() => chain.revert());

const balances = (...names) => Promise.all(names.map((n) => f.token.balanceOf(f.addr[n])));

describe('holder transfers', () => {
  it('moves tokens between verified, unfrozen wallets', async () => {
    await expect(f.token.connect(f.alice).transfer(f.addr.bob, 100n)).resolves.toBeTruthy();
    expect(await balances('alice', 'bob')).toEqual([900n, 600n]);
  });

  it('refuses an unregistered receiver', async () => {
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.dave, 1n), 'ReceiverNotVerified', [f.addr.dave]);
  });

  it('refuses a receiver registered without a valid claim', async () => {
    const { contract: bare } = await deployContract(f.admin, 'Identity', [f.addr.admin]);
    await (await f.suite.contracts.identityRegistry.registerIdentity(f.addr.dave, await bare.getAddress(), 250)).wait();
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.dave, 1n), 'ReceiverNotVerified', [f.addr.dave]);
  });

  it('refuses a frozen sender', async () => {
    await (await f.asAgent.setAddressFrozen(f.addr.alice, true)).wait();
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 1n), 'AddressIsFrozen', [f.addr.alice]);
  });

  it('refuses a frozen receiver', async () => {
    await (await f.asAgent.setAddressFrozen(f.addr.bob, true)).wait();
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 1n), 'AddressIsFrozen', [f.addr.bob]);
  });

  it('refuses more than the unfrozen balance when tokens are partially frozen', async () => {
    await (await f.asAgent.freezePartialTokens(f.addr.alice, 700n)).wait();
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 301n), 'InsufficientUnfrozenBalance', [
      f.addr.alice,
      300n,
      301n,
    ]);
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 300n)).wait();
    expect(await balances('alice', 'bob')).toEqual([700n, 800n]);
  });

  it('refuses transfers while paused and resumes after unpause', async () => {
    await (await f.asAgent.pause()).wait();
    expect(await f.token.paused()).toBe(true);
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 1n), 'EnforcedPause');
    await expectRevert(f.token.connect(f.alice).batchTransfer([f.addr.bob], [1n]), 'EnforcedPause');
    await (await f.token.connect(f.alice).approve(f.addr.carol, 10n)).wait();
    await expectRevert(f.token.connect(f.carol).transferFrom(f.addr.alice, f.addr.bob, 1n), 'EnforcedPause');
    await (await f.asAgent.unpause()).wait();
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 1n)).wait();
  });

  it('applies the same checks to transferFrom and spends the allowance', async () => {
    await (await f.token.connect(f.alice).approve(f.addr.carol, 50n)).wait();
    await expectRevert(f.token.connect(f.carol).transferFrom(f.addr.alice, f.addr.dave, 10n), 'ReceiverNotVerified');
    await expectRevert(f.token.connect(f.carol).transferFrom(f.addr.alice, f.addr.bob, 51n), 'ERC20InsufficientAllowance');
    await (await f.token.connect(f.carol).transferFrom(f.addr.alice, f.addr.bob, 50n)).wait();
    expect(await f.token.allowance(f.addr.alice, f.addr.carol)).toBe(0n);
  });

  it('refuses a transfer above the balance', async () => {
    await expectRevert(f.token.connect(f.bob).transfer(f.addr.alice, 501n), 'InsufficientUnfrozenBalance');
  });
});

describe('freezes', () => {
  it('emits AddressFrozen with the agent and reports isFrozen', async () => {
    const tx = await f.asAgent.setAddressFrozen(f.addr.alice, true);
    await expect(tx.wait()).resolves.toBeTruthy();
    const [log] = (await tx.wait()).logs.map((l) => f.token.interface.parseLog(l));
    expect(log.name).toBe('AddressFrozen');
    expect([...log.args]).toEqual([f.addr.alice, true, f.addr.agent]);
    expect(await f.token.isFrozen(f.addr.alice)).toBe(true);
  });

  it('freezes and unfreezes partial tokens with TokensFrozen / TokensUnfrozen', async () => {
    const frozen = await (await f.asAgent.freezePartialTokens(f.addr.alice, 400n)).wait();
    expect(f.token.interface.parseLog(frozen.logs[0]).name).toBe('TokensFrozen');
    expect(await f.token.getFrozenTokens(f.addr.alice)).toBe(400n);
    const unfrozen = await (await f.asAgent.unfreezePartialTokens(f.addr.alice, 150n)).wait();
    expect(f.token.interface.parseLog(unfrozen.logs[0]).name).toBe('TokensUnfrozen');
    expect(await f.token.getFrozenTokens(f.addr.alice)).toBe(250n);
  });

  it('refuses to freeze more than the unfrozen balance or unfreeze more than frozen', async () => {
    await (await f.asAgent.freezePartialTokens(f.addr.alice, 900n)).wait();
    await expectRevert(f.asAgent.freezePartialTokens(f.addr.alice, 101n), 'FreezeExceedsBalance', [f.addr.alice, 100n, 101n]);
    await expectRevert(f.asAgent.unfreezePartialTokens(f.addr.alice, 901n), 'UnfreezeExceedsFrozen', [f.addr.alice, 900n, 901n]);
  });
});

describe('agent-only and owner-only functions', () => {
  const agentCalls = () => [
    ['pause', []],
    ['unpause', []],
    ['mint', [f.addr.alice, 1n]],
    ['burn', [f.addr.alice, 1n]],
    ['forcedTransfer', [f.addr.alice, f.addr.bob, 1n]],
    ['setAddressFrozen', [f.addr.alice, true]],
    ['freezePartialTokens', [f.addr.alice, 1n]],
    ['unfreezePartialTokens', [f.addr.alice, 1n]],
    ['recoveryAddress', [f.addr.alice, f.addr.carol, ZeroAddress]],
    ['batchMint', [[f.addr.alice], [1n]]],
    ['batchBurn', [[f.addr.alice], [1n]]],
    ['batchForcedTransfer', [[f.addr.alice], [f.addr.bob], [1n]]],
    ['batchSetAddressFrozen', [[f.addr.alice], [true]]],
    ['batchFreezePartialTokens', [[f.addr.alice], [1n]]],
    ['batchUnfreezePartialTokens', [[f.addr.alice], [1n]]],
  ];

  it('refuses every agent function to a non-agent (even the owner)', async () => {
    const calls = agentCalls();
    expect(calls).toHaveLength(15);
    for (const caller of [f.outsider, f.admin]) {
      const address = await caller.getAddress();
      for (const [method, args] of calls) {
        await expectRevert(f.token.connect(caller)[method].staticCall(...args), 'CallerNotAgent', [address]);
      }
    }
  });

  it('refuses owner functions to agents', async () => {
    const calls = [
      ['setName', ['X']],
      ['setSymbol', ['X']],
      ['setOnchainID', [f.addr.alice]],
      ['setIdentityRegistry', [f.suite.addresses.identityRegistry]],
      ['setCompliance', [f.suite.addresses.compliance]],
      ['addAgent', [f.addr.outsider]],
      ['removeAgent', [f.addr.agent]],
    ];
    for (const [method, args] of calls) {
      await expectRevert(f.asAgent[method].staticCall(...args), 'OwnableUnauthorizedAccount', [f.addr.agent]);
    }
  });

  it('lets the owner appoint and remove agents', async () => {
    await (await f.token.addAgent(f.addr.outsider)).wait();
    expect(await f.token.isAgent(f.addr.outsider)).toBe(true);
    await expectRevert(f.token.addAgent.staticCall(f.addr.outsider), 'AgentAlreadyAdded');
    await (await f.token.removeAgent(f.addr.outsider)).wait();
    await expectRevert(f.token.connect(f.outsider).pause.staticCall(), 'CallerNotAgent');
  });
});

describe('mint and burn', () => {
  it('refuses to mint to an unverified wallet', async () => {
    await expectRevert(f.asAgent.mint(f.addr.dave, 1n), 'ReceiverNotVerified', [f.addr.dave]);
  });

  it('burns, unfreezing partial tokens when the free balance is short', async () => {
    await (await f.asAgent.freezePartialTokens(f.addr.bob, 400n)).wait();
    const receipt = await (await f.asAgent.burn(f.addr.bob, 300n)).wait();
    const names = receipt.logs.map((l) => f.token.interface.parseLog(l)?.name);
    expect(names).toEqual(['TokensUnfrozen', 'Transfer']);
    expect(await f.token.getFrozenTokens(f.addr.bob)).toBe(200n);
    expect(await f.token.balanceOf(f.addr.bob)).toBe(200n);
    expect(await f.token.totalSupply()).toBe(1_200n);
  });

  it('refuses to burn more than the balance', async () => {
    await expectRevert(f.asAgent.burn(f.addr.bob, 501n), 'ERC20InsufficientBalance', [f.addr.bob, 500n, 501n]);
  });
});

describe('forced transfer', () => {
  it('moves frozen and partially frozen tokens, unfreezing only what it needs, even while paused', async () => {
    await (await f.asAgent.setAddressFrozen(f.addr.alice, true)).wait();
    await (await f.asAgent.freezePartialTokens(f.addr.alice, 800n)).wait();
    await (await f.asAgent.pause()).wait();
    const receipt = await (await f.asAgent.forcedTransfer(f.addr.alice, f.addr.bob, 300n)).wait();
    const events = receipt.logs.map((l) => f.token.interface.parseLog(l));
    expect(events.map((e) => e.name)).toEqual(['TokensUnfrozen', 'Transfer']);
    expect(events[0].args.amount).toBe(100n);
    expect(await f.token.getFrozenTokens(f.addr.alice)).toBe(700n);
    expect(await balances('alice', 'bob')).toEqual([700n, 800n]);
  });

  it('moves to a frozen receiver (the agent decides) but never to an unverified one', async () => {
    await (await f.asAgent.setAddressFrozen(f.addr.bob, true)).wait();
    await (await f.asAgent.forcedTransfer(f.addr.alice, f.addr.bob, 10n)).wait();
    await expectRevert(f.asAgent.forcedTransfer(f.addr.alice, f.addr.dave, 10n), 'ReceiverNotVerified', [f.addr.dave]);
  });

  it('refuses more than the balance', async () => {
    await expectRevert(f.asAgent.forcedTransfer(f.addr.bob, f.addr.alice, 501n), 'ERC20InsufficientBalance');
  });
});

describe('recovery', () => {
  it('moves the balance and freezes of a lost wallet to a new wallet of the same identity', async () => {
    const aliceIdentity = await f.identities.alice.getAddress();
    await (await f.suite.contracts.identityRegistry.registerIdentity(f.addr.dave, aliceIdentity, 250)).wait();
    await (await f.asAgent.freezePartialTokens(f.addr.alice, 200n)).wait();
    await (await f.asAgent.setAddressFrozen(f.addr.alice, true)).wait();
    const receipt = await (await f.asAgent.recoveryAddress(f.addr.alice, f.addr.dave, aliceIdentity)).wait();
    const names = receipt.logs.map((l) => f.token.interface.parseLog(l)?.name);
    expect(names).toEqual(['Transfer', 'TokensUnfrozen', 'TokensFrozen', 'AddressFrozen', 'RecoverySuccess']);
    expect(await balances('alice', 'dave')).toEqual([0n, 1_000n]);
    expect(await f.token.getFrozenTokens(f.addr.dave)).toBe(200n);
    expect(await f.token.getFrozenTokens(f.addr.alice)).toBe(0n);
    expect(await f.token.isFrozen(f.addr.dave)).toBe(true);
  });

  it('refuses a new wallet of another identity, an unverified one, or an empty lost wallet', async () => {
    const aliceIdentity = await f.identities.alice.getAddress();
    await expectRevert(f.asAgent.recoveryAddress(f.addr.alice, f.addr.bob, aliceIdentity), 'RecoveryIdentityMismatch');
    await expectRevert(f.asAgent.recoveryAddress(f.addr.alice, f.addr.dave, aliceIdentity), 'RecoveryIdentityMismatch');
    await expectRevert(f.asAgent.recoveryAddress(f.addr.carol, f.addr.alice, aliceIdentity), 'RecoveryNoBalance', [f.addr.carol]);
    // Registered under the same identity but the claim was removed: not verified.
    const { contract: bare } = await deployContract(f.admin, 'Identity', [f.addr.admin]);
    const bareAddress = await bare.getAddress();
    await (await f.suite.contracts.identityRegistry.updateIdentity(f.addr.alice, bareAddress)).wait();
    await (await f.suite.contracts.identityRegistry.registerIdentity(f.addr.dave, bareAddress, 250)).wait();
    await expectRevert(f.asAgent.recoveryAddress(f.addr.alice, f.addr.dave, bareAddress), 'ReceiverNotVerified', [f.addr.dave]);
  });
});

describe('batch operations are atomic', () => {
  it('batchTransfer moves to every receiver', async () => {
    await (await f.token.connect(f.alice).batchTransfer([f.addr.bob, f.addr.carol], [10n, 20n])).wait();
    expect(await balances('alice', 'bob', 'carol')).toEqual([970n, 510n, 20n]);
  });

  const cases = () => [
    ['batchTransfer', [[f.addr.bob, f.addr.dave], [10n, 10n]], f.alice],
    ['batchMint', [[f.addr.carol, f.addr.dave], [10n, 10n]], f.agent],
    ['batchBurn', [[f.addr.alice, f.addr.bob], [10n, 501n]], f.agent],
    ['batchForcedTransfer', [[f.addr.alice, f.addr.bob], [f.addr.carol, f.addr.dave], [10n, 10n]], f.agent],
    ['batchFreezePartialTokens', [[f.addr.alice, f.addr.bob], [10n, 501n]], f.agent],
    ['batchUnfreezePartialTokens', [[f.addr.alice, f.addr.bob], [0n, 1n]], f.agent],
  ];

  it('one bad element reverts the whole batch on chain, leaving every balance and freeze unchanged', async () => {
    for (const [method, args, from] of cases()) {
      const before = await Promise.all([
        ...['alice', 'bob', 'carol', 'dave'].map((n) => f.token.balanceOf(f.addr[n])),
        ...['alice', 'bob'].map((n) => f.token.getFrozenTokens(f.addr[n])),
      ]);
      const receipt = await mineReverting(f.token, method, args, from);
      expect({ method, status: receipt.status }).toEqual({ method, status: 0 });
      const after = await Promise.all([
        ...['alice', 'bob', 'carol', 'dave'].map((n) => f.token.balanceOf(f.addr[n])),
        ...['alice', 'bob'].map((n) => f.token.getFrozenTokens(f.addr[n])),
      ]);
      expect(after).toEqual(before);
    }
  });

  it('batchSetAddressFrozen applies every element', async () => {
    await (await f.asAgent.batchSetAddressFrozen([f.addr.alice, f.addr.bob], [true, true])).wait();
    expect([await f.token.isFrozen(f.addr.alice), await f.token.isFrozen(f.addr.bob)]).toEqual([true, true]);
  });

  it('refuses mismatched lengths and oversized batches', async () => {
    await expectRevert(f.asAgent.batchMint.staticCall([f.addr.alice], [1n, 2n]), 'ArrayLengthMismatch');
    await expectRevert(
      f.asAgent.batchForcedTransfer.staticCall([f.addr.alice], [f.addr.bob, f.addr.carol], [1n]),
      'ArrayLengthMismatch',
    );
    const many = Array.from({ length: 101 }, () => f.addr.bob);
    await expectRevert(
      f.token.connect(f.alice).batchTransfer.staticCall(many, many.map(() => 1n)),
      'BatchTooLarge',
      [101n, 100n],
    );
  });
});

describe('token information', () => {
  it('exposes the ERC-3643 metadata and emits UpdatedTokenInformation on change', async () => {
    expect([await f.token.name(), await f.token.symbol(), await f.token.decimals(), await f.token.version()]).toEqual([
      'Bulwark Test Note',
      'BTN',
      0n,
      '1.0.0',
    ]);
    expect(await f.token.identityRegistry()).toBe(f.suite.addresses.identityRegistry);
    expect(await f.token.compliance()).toBe(f.suite.addresses.compliance);
    const receipt = await (await f.token.setName('Renamed')).wait();
    const log = f.token.interface.parseLog(receipt.logs[0]);
    expect(log.name).toBe('UpdatedTokenInformation');
    expect(log.args.newName).toBe('Renamed');
    await expectRevert(f.token.setSymbol.staticCall(''), 'EmptyTokenInformation');
  });

  it('rebinds compliance: the old one is unbound and the new one bound', async () => {
    const { contract: next } = await deployContract(f.admin, 'ModularCompliance', [f.addr.admin]);
    const receipt = await (await f.token.setCompliance(await next.getAddress())).wait();
    expect(f.token.interface.parseLog(receipt.logs[0]).name).toBe('ComplianceAdded');
    expect(await next.getTokenBound()).toBe(f.suite.addresses.token);
    expect(await f.suite.contracts.compliance.getTokenBound()).toBe(ZeroAddress);
  });
});
