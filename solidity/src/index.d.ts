import type { BytesLike, Contract, InterfaceAbi, Signer, TransactionReceipt } from 'ethers';

export type ContractName =
  | 'AuditAnchor'
  | 'ClaimIssuer'
  | 'ClaimTopicsRegistry'
  | 'CountryAllowModule'
  | 'Identity'
  | 'IdentityRegistry'
  | 'IdentityRegistryStorage'
  | 'MaxBalanceModule'
  | 'MaxHoldersModule'
  | 'ModularCompliance'
  | 'TimeLockModule'
  | 'Token'
  | 'TrustedIssuersRegistry';

export interface Artifact {
  readonly contractName: ContractName;
  readonly sourceName: string;
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
  readonly deployedBytecode: string;
  readonly sourceHash: string;
}

export declare const artifacts: Readonly<Record<ContractName, Artifact>>;
export declare const sourceHash: string;
export declare function artifact(contractName: ContractName): Artifact;

export interface AnvilNode {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  kill(): Promise<void>;
}
export declare function anvilBinaryPath(): string;
export declare function startAnvil(options?: { args?: string[] }): Promise<AnvilNode>;

export declare const CLAIM_TOPICS: Readonly<{ KYC: bigint; AML: bigint; ACCREDITED_INVESTOR: bigint }>;
export declare const CLAIM_SCHEME_ECDSA: bigint;
export declare const KEY_PURPOSES: Readonly<{ MANAGEMENT: bigint; ACTION: bigint; CLAIM: bigint }>;
export declare const KEY_TYPE_ECDSA: bigint;
export declare function addressKey(address: string): string;
export declare function claimDigest(identityAddress: string, topic: bigint, data: BytesLike): string;
export declare function claimId(issuerAddress: string, topic: bigint): string;
export declare function signClaim(claimSigner: Signer, identityAddress: string, topic: bigint, data: BytesLike): Promise<string>;

export type ModuleKey = 'countryAllow' | 'maxBalance' | 'maxHolders' | 'timeLock';

export interface SuiteOptions {
  name: string;
  symbol: string;
  /** Default 0 (whole units). */
  decimals?: number;
  onchainID?: string;
  /** Token agents; default [deployer]. */
  agents?: string[];
  /** Identity registry agents; default = agents. */
  registryAgents?: string[];
  /** Required claim topics; default [CLAIM_TOPICS.KYC]. */
  claimTopics?: bigint[];
  /** ClaimIssuer contracts trusted for the given topics (default: all required topics). */
  trustedIssuers?: { issuer: string; claimTopics?: bigint[] }[];
  /** Reuse a shared IdentityRegistryStorage (the deployer must own it). */
  identityRegistryStorage?: string;
  /** Rules; a module is added only when its rule is given. */
  compliance?: {
    /** ISO 3166-1 numeric codes. */
    allowedCountries?: number[];
    /** Per-wallet cap, token base units. */
    maxBalance?: bigint;
    maxHolders?: bigint;
    lockUp?: { releaseAt?: bigint | number; periodS?: number; locksTransfers?: boolean };
  };
  /** Reuse already deployed (shared) module contracts instead of deploying new ones. */
  modules?: Partial<Record<ModuleKey, string>>;
}

export interface Suite {
  addresses: {
    token: string;
    identityRegistry: string;
    identityRegistryStorage: string;
    claimTopicsRegistry: string;
    trustedIssuersRegistry: string;
    compliance: string;
    modules: Partial<Record<ModuleKey, string>>;
  };
  contracts: {
    token: Contract;
    identityRegistry: Contract;
    identityRegistryStorage: Contract;
    claimTopicsRegistry: Contract;
    trustedIssuersRegistry: Contract;
    compliance: Contract;
    modules: Partial<Record<ModuleKey, Contract>>;
  };
  gasUsed: { total: bigint; byStep: Record<string, bigint> };
}

export declare function deployContract(
  signer: Signer,
  contractName: ContractName,
  args?: unknown[],
): Promise<{ contract: Contract; receipt: TransactionReceipt }>;
export declare function attach(contractName: ContractName, address: string, runner: Signer | import('ethers').Provider): Contract;
export declare function deploySuite(signer: Signer, opts: SuiteOptions): Promise<Suite>;
export declare function deployClaimIssuer(signer: Signer, claimSignerAddress: string): Promise<Contract>;

export interface RegisterInvestorOptions {
  identityRegistry: Contract;
  wallet: string;
  /** ISO 3166-1 numeric country code. */
  country: number;
  claimIssuer?: string;
  claimSigner?: Signer;
  topics?: bigint[];
  /** Opaque claim data (a reference, never personal data); default empty. */
  claimData?: BytesLike;
  /** Reuse an existing Identity (another wallet of the same investor). */
  identity?: Contract;
}
export declare function registerInvestor(signer: Signer, opts: RegisterInvestorOptions): Promise<Contract>;
