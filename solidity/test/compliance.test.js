import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ZeroAddress } from 'ethers';
import { attach, deployContract } from '../src/index.js';
import { COUNTRY, deployFixture, expectRevert, startChain } from './fixture.js';

let chain;

beforeAll(async () => {
  chain = await startChain();
});
afterAll(async () => {
  await chain?.close();
});
beforeEach(() => chain.snapshot());
afterEach(() => chain.revert());

async function configure(f, moduleKey, method, args) {
  const module = f.suite.contracts.modules[moduleKey];
  const callData = module.interface.encodeFunctionData(method, args);
  await (await f.suite.contracts.compliance.callModuleFunction(callData, await module.getAddress())).wait();
}

describe('CountryAllowModule', () => {
  let f;
  beforeAll(async () => {
    f = await deployFixture(chain, { compliance: { allowedCountries: [COUNTRY.FR, COUNTRY.DE] } });
    await (await f.asAgent.mint(f.addr.alice, 100n)).wait();
  });

  it('refuses mints and transfers to a receiver in a country not allowed', async () => {
    await expectRevert(f.asAgent.mint(f.addr.erin, 1n), 'TransferNotCompliant', [ZeroAddress, f.addr.erin, 1n]);
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.erin, 1n), 'TransferNotCompliant', [f.addr.alice, f.addr.erin, 1n]);
    expect(await f.suite.contracts.compliance.firstFailingModule(f.addr.alice, f.addr.erin, 1n)).toBe(
      f.suite.addresses.modules.countryAllow,
    );
    expect(await f.suite.contracts.compliance.canTransfer(f.addr.alice, f.addr.bob, 1n)).toBe(true);
  });

  it('follows the allow-list as the compliance owner changes it', async () => {
    await configure(f, 'countryAllow', 'addAllowedCountry', [COUNTRY.US]);
    await (await f.token.connect(f.alice).transfer(f.addr.erin, 1n)).wait();
    await configure(f, 'countryAllow', 'removeAllowedCountry', [COUNTRY.FR]);
    await expectRevert(f.token.connect(f.erin).transfer(f.addr.carol, 1n), 'TransferNotCompliant');
  });

  it('accepts configuration only through its bound compliance, called by the compliance owner', async () => {
    const module = f.suite.contracts.modules.countryAllow;
    await expectRevert(module.addAllowedCountry.staticCall(COUNTRY.US), 'CallerNotBoundCompliance', [f.addr.admin]);
    const callData = module.interface.encodeFunctionData('addAllowedCountry', [COUNTRY.US]);
    await expectRevert(
      f.suite.contracts.compliance.connect(f.agent).callModuleFunction.staticCall(callData, await module.getAddress()),
      'OwnableUnauthorizedAccount',
    );
    await expectRevert(
      f.suite.contracts.compliance.callModuleFunction.staticCall(
        module.interface.encodeFunctionData('addAllowedCountry', [COUNTRY.FR]),
        await module.getAddress(),
      ),
      'CountryAlreadyAllowed',
    );
  });

  it('is bypassed by a forced transfer, which still requires a verified receiver', async () => {
    await (await f.asAgent.forcedTransfer(f.addr.alice, f.addr.erin, 5n)).wait();
    expect(await f.token.balanceOf(f.addr.erin)).toBe(5n);
  });
});

describe('MaxBalanceModule', () => {
  let f;
  beforeAll(async () => {
    f = await deployFixture(chain, { compliance: { maxBalance: 1_000n } });
    await (await f.asAgent.batchMint([f.addr.alice, f.addr.bob], [1_000n, 500n])).wait();
  });

  it('refuses a mint that would exceed the cap', async () => {
    await expectRevert(f.asAgent.mint(f.addr.alice, 1n), 'TransferNotCompliant', [ZeroAddress, f.addr.alice, 1n]);
  });

  it('refuses a transfer that would exceed the cap and accepts one that reaches it', async () => {
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 501n), 'TransferNotCompliant');
    expect(await f.suite.contracts.compliance.firstFailingModule(f.addr.alice, f.addr.bob, 501n)).toBe(
      f.suite.addresses.modules.maxBalance,
    );
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 500n)).wait();
    expect(await f.token.balanceOf(f.addr.bob)).toBe(1_000n);
  });
});

describe('MaxHoldersModule', () => {
  let f;
  let module;
  beforeAll(async () => {
    f = await deployFixture(chain, { compliance: { maxHolders: 2n } });
    module = f.suite.contracts.modules.maxHolders;
    await (await f.asAgent.batchMint([f.addr.alice, f.addr.bob], [100n, 100n])).wait();
  });

  const holders = () => module.holderCountOf(f.suite.addresses.compliance);

  it('refuses a new holder once the limit is reached, by mint or by transfer', async () => {
    expect(await holders()).toBe(2n);
    await expectRevert(f.asAgent.mint(f.addr.carol, 1n), 'TransferNotCompliant', [ZeroAddress, f.addr.carol, 1n]);
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.carol, 1n), 'TransferNotCompliant');
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 10n)).wait(); // an existing holder is fine
    expect(await holders()).toBe(2n);
  });

  it('lets a holder who empties its wallet hand its place over', async () => {
    await (await f.token.connect(f.alice).transfer(f.addr.carol, 100n)).wait();
    expect(await holders()).toBe(2n);
    expect(await f.token.balanceOf(f.addr.alice)).toBe(0n);
  });

  it('frees a place on a full burn and counts mints again', async () => {
    await (await f.asAgent.burn(f.addr.bob, 100n)).wait();
    expect(await holders()).toBe(1n);
    await (await f.asAgent.mint(f.addr.carol, 1n)).wait();
    expect(await holders()).toBe(2n);
  });

  it('refuses to bind to a compliance whose token already has a supply', async () => {
    const { contract: late } = await deployContract(f.admin, 'MaxHoldersModule');
    await expectRevert(f.suite.contracts.compliance.addModule.staticCall(await late.getAddress()), 'ModuleCannotBind');
    await expectRevert(f.suite.contracts.compliance.addModule.staticCall(await module.getAddress()), 'ModuleAlreadyBound');
  });
});

describe('ModularCompliance', () => {
  let f;
  beforeAll(async () => {
    f = await deployFixture(chain, { compliance: { maxBalance: 10n } });
    await (await f.asAgent.mint(f.addr.alice, 10n)).wait();
  });

  it('accepts hooks only from its token and module hooks only from a bound compliance', async () => {
    await expectRevert(
      f.suite.contracts.compliance.transferred.staticCall(f.addr.alice, f.addr.bob, 1n),
      'CallerNotToken',
      [f.addr.admin],
    );
    await expectRevert(f.suite.contracts.compliance.created.staticCall(f.addr.alice, 1n), 'CallerNotToken');
    await expectRevert(f.suite.contracts.compliance.destroyed.staticCall(f.addr.alice, 1n), 'CallerNotToken');
    const module = f.suite.contracts.modules.maxBalance;
    await expectRevert(module.moduleMintAction.staticCall(f.addr.alice, 1n), 'CallerNotBoundCompliance');
  });

  it('stops applying a removed module', async () => {
    await expectRevert(f.asAgent.mint(f.addr.alice, 1n), 'TransferNotCompliant');
    const moduleAddress = f.suite.addresses.modules.maxBalance;
    await (await f.suite.contracts.compliance.removeModule(moduleAddress)).wait();
    expect(await f.suite.contracts.compliance.getModules()).toEqual([]);
    await (await f.asAgent.mint(f.addr.alice, 1n)).wait();
    const module = attach('MaxBalanceModule', moduleAddress, f.admin);
    expect(await module.isComplianceBound(f.suite.addresses.compliance)).toBe(false);
  });
});

describe('TimeLockModule', () => {
  const PERIOD_S = 3_600;
  let f;
  let module;
  beforeAll(async () => {
    f = await deployFixture(chain, { compliance: { lockUp: { periodS: PERIOD_S } } });
    module = f.suite.contracts.modules.timeLock;
    await (await f.asAgent.mint(f.addr.alice, 100n)).wait();
  });

  const locked = (name) => module.lockedBalanceOf(f.suite.addresses.compliance, f.addr[name]);

  it('refuses to move minted tokens before the lock-up expires, and allows it after', async () => {
    expect(await locked('alice')).toBe(100n);
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 1n), 'TransferNotCompliant', [f.addr.alice, f.addr.bob, 1n]);
    await chain.increaseTime(PERIOD_S + 1);
    expect(await locked('alice')).toBe(0n);
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 100n)).wait();
  });

  it('only locks new tokens: the unlocked part of a balance stays transferable', async () => {
    await chain.increaseTime(PERIOD_S + 1);
    await (await f.asAgent.mint(f.addr.alice, 50n)).wait();
    expect(await locked('alice')).toBe(50n);
    await expectRevert(f.token.connect(f.alice).transfer(f.addr.bob, 101n), 'TransferNotCompliant');
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 100n)).wait();
  });

  it('locks tokens received by transfer until an absolute date when so configured', async () => {
    const now = BigInt((await chain.provider.getBlock('latest')).timestamp);
    await configure(f, 'timeLock', 'setLockUp', [now + 7_200n, 0, true]);
    await chain.increaseTime(PERIOD_S + 1); // alice's minted lot (period-based) has expired
    await (await f.token.connect(f.alice).transfer(f.addr.bob, 40n)).wait();
    expect(await locked('bob')).toBe(40n);
    await expectRevert(f.token.connect(f.bob).transfer(f.addr.alice, 1n), 'TransferNotCompliant');
    await chain.increaseTime(7_200);
    await (await f.token.connect(f.bob).transfer(f.addr.alice, 40n)).wait();
  });

  it('is bypassed by a forced transfer, after which the sender keeps no stale lock', async () => {
    await (await f.asAgent.forcedTransfer(f.addr.alice, f.addr.bob, 100n)).wait();
    expect(await locked('alice')).toBe(0n);
    await (await f.asAgent.mint(f.addr.alice, 30n)).wait();
    expect(await locked('alice')).toBe(30n);
  });
});
