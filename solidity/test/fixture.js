// Shared test plumbing: one anvil node per test file, EVM snapshots between tests, investors with
// signed KYC claims, and revert assertions that decode our custom errors by name.
import { expect } from '@jest/globals';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { artifacts, deployClaimIssuer, deploySuite, registerInvestor, startAnvil } from '../src/index.js';

export const COUNTRY = Object.freeze({ FR: 250, DE: 276, US: 840 });

/** Every custom error of every contract, to decode reverts bubbling up from inner calls. */
const errorInterface = new Interface(
  [
    ...new Map(
      Object.values(artifacts)
        .flatMap((a) => a.abi)
        .filter((f) => f.type === 'error')
        .map((f) => [`${f.name}(${f.inputs.map((i) => i.type).join(',')})`, f]),
    ).values(),
  ],
);

export async function startChain() {
  const node = await startAnvil();
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
  provider.pollingInterval = 20;
  const signers = await Promise.all(Array.from({ length: 10 }, (_, i) => provider.getSigner(i)));
  let snapshotId;
  return {
    node,
    provider,
    signers,
    async snapshot() {
      snapshotId = await provider.send('evm_snapshot', []);
    },
    async revert() {
      await provider.send('evm_revert', [snapshotId]);
    },
    async increaseTime(seconds) {
      await provider.send('evm_increaseTime', [seconds]);
      await provider.send('evm_mine', []);
    },
    async close() {
      provider.destroy();
      await node.kill();
    },
  };
}

/**
 * Deploys a suite with one trusted KYC issuer and registers investors:
 * alice (FR), bob (DE), carol (FR), erin (US); dave is not registered.
 */
export async function deployFixture(chain, suiteOptions = {}) {
  const [admin, agent, alice, bob, carol, dave, erin, outsider] = chain.signers;
  const claimSigner = Wallet.createRandom();
  const issuer = await deployClaimIssuer(admin, claimSigner.address);
  const issuerAddress = await issuer.getAddress();
  const suite = await deploySuite(admin, {
    name: 'Bulwark Test Note',
    symbol: 'BTN',
    agents: [await agent.getAddress()],
    registryAgents: [await admin.getAddress()],
    trustedIssuers: [{ issuer: issuerAddress }],
    ...suiteOptions,
  });
  const identities = {};
  const investors = { alice: [alice, COUNTRY.FR], bob: [bob, COUNTRY.DE], carol: [carol, COUNTRY.FR], erin: [erin, COUNTRY.US] };
  for (const [name, [signer, country]] of Object.entries(investors)) {
    identities[name] = await registerInvestor(admin, {
      identityRegistry: suite.contracts.identityRegistry,
      wallet: await signer.getAddress(),
      country,
      claimIssuer: issuerAddress,
      claimSigner,
    });
  }
  const token = suite.contracts.token;
  return {
    suite,
    token,
    asAgent: token.connect(agent),
    issuer,
    claimSigner,
    identities,
    admin,
    agent,
    alice,
    bob,
    carol,
    dave,
    erin,
    outsider,
    addr: {
      admin: await admin.getAddress(),
      agent: await agent.getAddress(),
      alice: await alice.getAddress(),
      bob: await bob.getAddress(),
      carol: await carol.getAddress(),
      dave: await dave.getAddress(),
      erin: await erin.getAddress(),
      outsider: await outsider.getAddress(),
    },
  };
}

function revertData(error) {
  for (let e = error; e; e = e.error ?? e.info?.error ?? e.cause) {
    if (typeof e.data === 'string' && e.data.startsWith('0x')) return e.data;
    if (typeof e.data?.data === 'string') return e.data.data;
  }
  return undefined;
}

/**
 * Expects `action` (a promise of a call or a transaction) to revert with custom error `name`,
 * and, when given, with `args`.
 */
export async function expectRevert(action, name, args) {
  let error;
  try {
    const result = await action;
    if (result && typeof result.wait === 'function') await result.wait();
  } catch (caught) {
    error = caught;
  }
  if (!error) throw new Error(`expected a revert with ${name}, but the call succeeded`);
  const data = revertData(error);
  if (!data) throw error;
  const parsed = errorInterface.parseError(data);
  expect(parsed?.name).toBe(name);
  if (args) expect([...parsed.args]).toEqual(args);
}

/** Sends a transaction with a fixed gas limit so that it is mined even though it reverts. */
export async function mineReverting(contract, method, args, from) {
  const tx = await contract.connect(from)[method](...args, { gasLimit: 3_000_000n });
  try {
    await tx.wait();
  } catch (error) {
    if (error.receipt) return error.receipt;
    throw error;
  }
  throw new Error(`${method} was expected to revert on chain`);
}
