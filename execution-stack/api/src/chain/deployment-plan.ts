// Contract deployments as plain calls the transaction pipeline can send. Each contract is created
// with CREATE2 through the deterministic deployment proxy, so its address follows from the salt
// and the creation code alone: it is known before anything is sent (later steps can name it) and
// does not depend on the nonce, so a step re-signed after a reorganisation took its nonce still
// lands at the recorded address. The proxy itself is deployed by a keyless transaction valid on
// every chain (docs/operations.md), so a reorganisation cannot move it either.
import { Interface, ZeroAddress, concat, getCreate2Address, keccak256, toUtf8Bytes, type Signer } from 'ethers';
import { CLAIM_SCHEME_ECDSA, CLAIM_TOPICS, KEY_PURPOSES, KEY_TYPE_ECDSA, addressKey, artifact, signClaim, type ContractName, type SuiteOptions } from '@bulwark/solidity';

/** The deterministic deployment proxy (github.com/Arachnid/deterministic-deployment-proxy): calldata is salt ‖ creation code. */
export const CREATE2_PROXY = '0x4e59b44847b379578588920ca78fbf26c0b4956c';

export interface PlannedCall {
  /** What the step does, e.g. "deploy Token" or "bind identity registry". */
  readonly label: string;
  readonly to: string;
  readonly data: string;
}

export interface SuiteAddresses {
  readonly token: string;
  readonly identityRegistry: string;
  readonly identityRegistryStorage: string;
  readonly claimTopicsRegistry: string;
  readonly trustedIssuersRegistry: string;
  readonly compliance: string;
  readonly modules: Record<string, string>;
}

const interfaces = new Map<ContractName, Interface>();
function iface(name: ContractName): Interface {
  let found = interfaces.get(name);
  if (!found) {
    found = new Interface(artifact(name).abi);
    interfaces.set(name, found);
  }
  return found;
}

/** A CREATE2 deployment of `name` with constructor `args`; the salt is the base salt bound to the label. */
function create(baseSalt: string, label: string, name: ContractName, args: readonly unknown[]): { address: string; call: PlannedCall } {
  const constructorArgs = iface(name).encodeDeploy(args);
  const initCode = concat([artifact(name).bytecode, constructorArgs]);
  const salt = keccak256(concat([baseSalt, toUtf8Bytes(label)]));
  return { address: getCreate2Address(CREATE2_PROXY, salt, keccak256(initCode)), call: { label, to: CREATE2_PROXY, data: concat([salt, initCode]) } };
}

/** The address a call to the CREATE2 proxy with calldata `data` (salt ‖ creation code) creates. */
export function create2Target(data: string): string {
  const salt = data.slice(0, 66);
  return getCreate2Address(CREATE2_PROXY, salt, keccak256(`0x${data.slice(66)}`));
}

function invoke(label: string, name: ContractName, to: string, fn: string, args: readonly unknown[]): PlannedCall {
  return { label, to, data: iface(name).encodeFunctionData(fn, args) };
}

const MODULES = [
  { key: 'countryAllow', name: 'CountryAllowModule', configure: (r: Rules) => r.allowedCountries && (['batchAllowCountries', [r.allowedCountries]] as const) },
  { key: 'maxBalance', name: 'MaxBalanceModule', configure: (r: Rules) => r.maxBalance !== undefined && (['setMaxBalance', [r.maxBalance]] as const) },
  { key: 'maxHolders', name: 'MaxHoldersModule', configure: (r: Rules) => r.maxHolders !== undefined && (['setHolderLimit', [r.maxHolders]] as const) },
  {
    key: 'timeLock', name: 'TimeLockModule',
    configure: (r: Rules) => r.lockUp && (['setLockUp', [r.lockUp.releaseAt ?? 0, r.lockUp.periodS ?? 0, r.lockUp.locksTransfers ?? false]] as const),
  },
] as const satisfies readonly { key: string; name: ContractName; configure: (r: Rules) => unknown }[];
type Rules = NonNullable<SuiteOptions['compliance']>;

/**
 * The ERC-3643 suite of one instrument as ordered steps (the same contracts and wiring as
 * deploySuite in @bulwark/solidity): each step needs the ones before it mined, which the
 * pipeline gives by sending one signer's transactions strictly in order.
 */
export function suitePlan(input: {
  readonly owner: string;
  readonly issuer: string;
  readonly name: string;
  readonly symbol: string;
  readonly decimals: number;
  readonly compliance: Rules;
  /** 32 random bytes, chosen once per suite: no two suites share an address. */
  readonly salt: string;
}): { addresses: SuiteAddresses; steps: PlannedCall[] } {
  const { owner, salt } = input;
  const topics = [CLAIM_TOPICS.KYC];
  const claimTopics = create(salt, 'deploy ClaimTopicsRegistry', 'ClaimTopicsRegistry', [owner]);
  const trustedIssuers = create(salt, 'deploy TrustedIssuersRegistry', 'TrustedIssuersRegistry', [owner]);
  const storage = create(salt, 'deploy IdentityRegistryStorage', 'IdentityRegistryStorage', [owner]);
  const registry = create(salt, 'deploy IdentityRegistry', 'IdentityRegistry', [owner, trustedIssuers.address, claimTopics.address, storage.address]);
  const compliance = create(salt, 'deploy ModularCompliance', 'ModularCompliance', [owner]);
  const token = create(salt, 'deploy Token', 'Token', [owner, input.name, input.symbol, input.decimals, ZeroAddress, registry.address, compliance.address]);
  const steps: PlannedCall[] = [
    claimTopics.call,
    ...topics.map((topic) => invoke('add claim topic', 'ClaimTopicsRegistry', claimTopics.address, 'addClaimTopic', [topic])),
    trustedIssuers.call,
    invoke('add trusted issuer', 'TrustedIssuersRegistry', trustedIssuers.address, 'addTrustedIssuer', [input.issuer, topics]),
    storage.call,
    registry.call,
    invoke('bind identity registry', 'IdentityRegistryStorage', storage.address, 'bindIdentityRegistry', [registry.address]),
    invoke('add registry agent', 'IdentityRegistry', registry.address, 'addAgent', [owner]),
    compliance.call,
    token.call,
    invoke('add token agent', 'Token', token.address, 'addAgent', [owner]),
  ];
  const modules: Record<string, string> = {};
  for (const module of MODULES) {
    const configure = module.configure(input.compliance);
    if (!configure) continue;
    const deployed = create(salt, `deploy ${module.name}`, module.name, []);
    const [fn, args] = configure;
    steps.push(
      deployed.call,
      invoke(`add ${module.name}`, 'ModularCompliance', compliance.address, 'addModule', [deployed.address]),
      invoke(`configure ${module.name}`, 'ModularCompliance', compliance.address, 'callModuleFunction', [
        iface(module.name).encodeFunctionData(fn, args), deployed.address,
      ]),
    );
    modules[module.key] = deployed.address;
  }
  const addresses: SuiteAddresses = {
    token: token.address, identityRegistry: registry.address, identityRegistryStorage: storage.address, claimTopicsRegistry: claimTopics.address,
    trustedIssuersRegistry: trustedIssuers.address, compliance: compliance.address, modules,
  };
  return { addresses, steps };
}

/**
 * A wallet's Identity contract managed by `owner`, with the KYC claim `owner` signs as the
 * issuer's claim key: the claim's signature covers the Identity's address, known in advance.
 */
export async function identityPlan(input: {
  readonly owner: Signer;
  readonly issuer: string;
  readonly claimData: string;
  readonly salt: string;
}): Promise<{ address: string; steps: PlannedCall[] }> {
  const identity = create(input.salt, 'deploy Identity', 'Identity', [await input.owner.getAddress()]);
  const signature = await signClaim(input.owner, identity.address, CLAIM_TOPICS.KYC, input.claimData);
  return {
    address: identity.address,
    steps: [identity.call, invoke('add KYC claim', 'Identity', identity.address, 'addClaim', [CLAIM_TOPICS.KYC, CLAIM_SCHEME_ECDSA, input.issuer, signature, input.claimData, ''])],
  };
}


/**
 * The platform's ClaimIssuer (the issuer every KYC claim names) managed by `owner`, whose key
 * then signs the claims: the same contract and key as deployClaimIssuer in @bulwark/solidity.
 */
export function claimIssuerPlan(input: { readonly owner: string; readonly salt: string }): { address: string; steps: PlannedCall[] } {
  const issuer = create(input.salt, 'deploy ClaimIssuer', 'ClaimIssuer', [input.owner]);
  return {
    address: issuer.address,
    steps: [issuer.call, invoke('add claim key', 'ClaimIssuer', issuer.address, 'addKey', [addressKey(input.owner), KEY_PURPOSES.CLAIM, KEY_TYPE_ECDSA])],
  };
}

/** An audit log's AuditAnchor contract, `owner` its admin and its anchorer. */
export function auditAnchorPlan(input: { readonly owner: string; readonly salt: string }): { address: string; steps: PlannedCall[] } {
  const anchor = create(input.salt, 'deploy AuditAnchor', 'AuditAnchor', [input.owner, input.owner]);
  return { address: anchor.address, steps: [anchor.call] };
}
