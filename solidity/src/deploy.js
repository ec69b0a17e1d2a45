// Deploys and wires the ERC-3643 suite with ethers 6. Every transaction is awaited in order, so
// the same signer can be used without a nonce manager; gas used is recorded per step.
import { Contract, ContractFactory, ZeroAddress, hexlify, toUtf8Bytes } from 'ethers';
import { artifact } from './artifacts.js';
import { CLAIM_SCHEME_ECDSA, CLAIM_TOPICS, KEY_PURPOSES, KEY_TYPE_ECDSA, addressKey, signClaim } from './claims.js';

const MODULE_CONTRACTS = Object.freeze({
  countryAllow: 'CountryAllowModule',
  maxBalance: 'MaxBalanceModule',
  maxHolders: 'MaxHoldersModule',
  timeLock: 'TimeLockModule',
});

/** Records gas used per labelled step. */
class GasLog {
  constructor() {
    /** @type {Record<string, bigint>} */
    this.byStep = {};
    this.total = 0n;
  }

  add(label, receipt) {
    if (!receipt) throw new Error(`no receipt for ${label}`);
    this.byStep[label] = (this.byStep[label] ?? 0n) + receipt.gasUsed;
    this.total += receipt.gasUsed;
    return receipt;
  }
}

async function sendAndWait(gasLog, label, txPromise) {
  const tx = await txPromise;
  return gasLog.add(label, await tx.wait());
}

/**
 * Deploys one contract from the committed artefacts.
 * @returns {Promise<{ contract: Contract, receipt: import('ethers').TransactionReceipt }>}
 */
export async function deployContract(signer, contractName, args = []) {
  const { abi, bytecode } = artifact(contractName);
  const factory = new ContractFactory(abi, bytecode, signer);
  const contract = await factory.deploy(...args);
  const receipt = await contract.deploymentTransaction().wait();
  return { contract: /** @type {Contract} */ (contract), receipt };
}

/** A contract object for a deployed suite address. */
export function attach(contractName, address, runner) {
  return new Contract(address, artifact(contractName).abi, runner);
}

/**
 * Deploys registries, storage, compliance (with the configured modules) and the token, wires
 * them, and grants the agent roles. The signer owns every contract.
 * @param {import('ethers').Signer} signer
 * @param {import('./index.js').SuiteOptions} opts
 * @returns {Promise<import('./index.js').Suite>}
 */
export async function deploySuite(signer, opts) {
  if (!opts?.name || !opts?.symbol) throw new Error('deploySuite: name and symbol are required');
  const deployer = await signer.getAddress();
  const agents = opts.agents ?? [deployer];
  const registryAgents = opts.registryAgents ?? agents;
  const claimTopics = opts.claimTopics ?? [CLAIM_TOPICS.KYC];
  const gas = new GasLog();
  const deploy = async (label, name, args) => {
    const { contract, receipt } = await deployContract(signer, name, args);
    gas.add(label, receipt);
    return contract;
  };
  const send = (label, txPromise) => sendAndWait(gas, label, txPromise);

  const claimTopicsRegistry = await deploy('deploy ClaimTopicsRegistry', 'ClaimTopicsRegistry', [deployer]);
  for (const topic of claimTopics) await send('add claim topics', claimTopicsRegistry.addClaimTopic(topic));

  const trustedIssuersRegistry = await deploy('deploy TrustedIssuersRegistry', 'TrustedIssuersRegistry', [deployer]);
  for (const { issuer, claimTopics: issuerTopics } of opts.trustedIssuers ?? []) {
    await send('add trusted issuers', trustedIssuersRegistry.addTrustedIssuer(issuer, issuerTopics ?? claimTopics));
  }

  const identityRegistryStorage = opts.identityRegistryStorage
    ? attach('IdentityRegistryStorage', opts.identityRegistryStorage, signer)
    : await deploy('deploy IdentityRegistryStorage', 'IdentityRegistryStorage', [deployer]);
  const identityRegistry = await deploy('deploy IdentityRegistry', 'IdentityRegistry', [
    deployer,
    await trustedIssuersRegistry.getAddress(),
    await claimTopicsRegistry.getAddress(),
    await identityRegistryStorage.getAddress(),
  ]);
  await send('bind identity registry', identityRegistryStorage.bindIdentityRegistry(await identityRegistry.getAddress()));
  for (const agent of registryAgents) await send('add registry agents', identityRegistry.addAgent(agent));

  const compliance = await deploy('deploy ModularCompliance', 'ModularCompliance', [deployer]);
  const token = await deploy('deploy Token', 'Token', [
    deployer,
    opts.name,
    opts.symbol,
    opts.decimals ?? 0,
    opts.onchainID ?? ZeroAddress,
    await identityRegistry.getAddress(),
    await compliance.getAddress(),
  ]);
  for (const agent of agents) await send('add token agents', token.addAgent(agent));

  const modules = {};
  const rules = opts.compliance ?? {};
  const configure = async (key, callData) => {
    const name = MODULE_CONTRACTS[key];
    const module = opts.modules?.[key]
      ? attach(name, opts.modules[key], signer)
      : await deploy(`deploy ${name}`, name, []);
    const moduleAddress = await module.getAddress();
    await send(`add ${name}`, compliance.addModule(moduleAddress));
    await send(`configure ${name}`, compliance.callModuleFunction(callData(module.interface), moduleAddress));
    modules[key] = module;
  };
  if (rules.allowedCountries) {
    await configure('countryAllow', (i) => i.encodeFunctionData('batchAllowCountries', [rules.allowedCountries]));
  }
  if (rules.maxBalance !== undefined) {
    await configure('maxBalance', (i) => i.encodeFunctionData('setMaxBalance', [rules.maxBalance]));
  }
  if (rules.maxHolders !== undefined) {
    await configure('maxHolders', (i) => i.encodeFunctionData('setHolderLimit', [rules.maxHolders]));
  }
  if (rules.lockUp) {
    const { releaseAt = 0, periodS = 0, locksTransfers = false } = rules.lockUp;
    await configure('timeLock', (i) => i.encodeFunctionData('setLockUp', [releaseAt, periodS, locksTransfers]));
  }

  const contracts = { token, identityRegistry, identityRegistryStorage, claimTopicsRegistry, trustedIssuersRegistry, compliance, modules };
  const addresses = {
    token: await token.getAddress(),
    identityRegistry: await identityRegistry.getAddress(),
    identityRegistryStorage: await identityRegistryStorage.getAddress(),
    claimTopicsRegistry: await claimTopicsRegistry.getAddress(),
    trustedIssuersRegistry: await trustedIssuersRegistry.getAddress(),
    compliance: await compliance.getAddress(),
    modules: Object.fromEntries(await Promise.all(Object.entries(modules).map(async ([k, m]) => [k, await m.getAddress()]))),
  };
  return { addresses, contracts, gasUsed: { total: gas.total, byStep: gas.byStep } };
}

/**
 * Deploys a ClaimIssuer managed by `signer` and gives `claimSignerAddress` the claim purpose.
 * @returns {Promise<Contract>}
 */
export async function deployClaimIssuer(signer, claimSignerAddress) {
  const { contract } = await deployContract(signer, 'ClaimIssuer', [await signer.getAddress()]);
  await (await contract.addKey(addressKey(claimSignerAddress), KEY_PURPOSES.CLAIM, KEY_TYPE_ECDSA)).wait();
  return contract;
}

/**
 * Deploys an investor Identity managed by `signer` (the platform), stores a signed claim for each
 * topic, and registers `wallet` with it in the identity registry (the signer must be a registry agent).
 * Claim data is an opaque reference (default: empty); no personal data goes on chain.
 * @param {import('ethers').Signer} signer
 * @param {import('./index.js').RegisterInvestorOptions} opts
 * @returns {Promise<Contract>} the Identity contract
 */
export async function registerInvestor(signer, opts) {
  const { identityRegistry, wallet, country, claimIssuer, claimSigner } = opts;
  const topics = opts.topics ?? [CLAIM_TOPICS.KYC];
  const data = opts.claimData ?? hexlify(toUtf8Bytes(''));
  const identity = opts.identity ?? (await deployContract(signer, 'Identity', [await signer.getAddress()])).contract;
  const identityAddress = await identity.getAddress();
  if (claimIssuer && claimSigner) {
    for (const topic of topics) {
      const signature = await signClaim(claimSigner, identityAddress, topic, data);
      await (await identity.addClaim(topic, CLAIM_SCHEME_ECDSA, claimIssuer, signature, data, '')).wait();
    }
  }
  await (await identityRegistry.registerIdentity(wallet, identityAddress, country)).wait();
  return identity;
}
