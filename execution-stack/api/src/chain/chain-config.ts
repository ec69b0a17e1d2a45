// The chain module's configuration, parsed once from the environment and frozen. The chain
// signer keys live here and nowhere else: the customer stack never holds one. Without
// CHAIN_RPC_URL the execution stack runs without the chain module.
import { z } from 'zod';
import { ConfigError, deepFreeze, parseEnv } from '@bulwark/shared-contracts/wall';

const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex private key with 0x');
const ms = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** Token base units per whole unit: instrument quantities carry at most this many decimals on chain. */
export const CHAIN_TOKEN_DECIMALS = 6;
/** Token.MAX_BATCH_SIZE: one settlement transaction moves at most this many legs. */
export const CHAIN_BATCH_LEGS_MAX = 100;

const ChainEnvSchema = z.object({
  CHAIN_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CHAIN_ID: z.coerce.number().int().min(1).max(2 ** 32).optional(),
  /** The operator: deployer, token and registry agent, claim signer, anchorer. */
  CHAIN_SIGNER_KEY: privateKey.optional(),
  /** BIP-39 phrase the custodial omnibus and member wallets are derived from (one index per wallet). */
  CHAIN_WALLET_MNEMONIC: z.string().regex(/^[a-z]+( [a-z]+){11,23}$/, 'a BIP-39 phrase of 12 to 24 lower-case words').optional(),
  CHAIN_CONFIRMATIONS: z.coerce.number().int().min(0).max(64).default(2),
  CHAIN_POLL_INTERVAL_MS: ms(20, 60_000, 1_000),
  CHAIN_RPC_TIMEOUT_MS: ms(100, 60_000, 5_000),
  CHAIN_BREAKER_RESET_MS: ms(50, 600_000, 5_000),
  CHAIN_SETTLEMENT_BATCH_LEGS: z.coerce.number().int().min(1).max(CHAIN_BATCH_LEGS_MAX).default(CHAIN_BATCH_LEGS_MAX),
  /** Wei sent to a custodial wallet so it can pay for its own settlement transactions. */
  CHAIN_WALLET_FUNDING_WEI: z.string().regex(/^[0-9]{1,30}$/).default('1000000000000000000'),
  /** How far back the indexer follows a reorganisation before it stops and alerts. */
  CHAIN_REORG_DEPTH_MAX: z.coerce.number().int().min(1).max(10_000).default(128),
  /** The execution audit table is cut into a Merkle batch and anchored every N ms, or once M entries wait. */
  CHAIN_AUDIT_ANCHOR_INTERVAL_MS: ms(1_000, 24 * 3_600_000, 300_000),
  CHAIN_AUDIT_ANCHOR_BATCH_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Omnibus wallets to register at start, `tenantRef:country` (ISO 3166-1 numeric), comma separated. */
  CHAIN_OMNIBUS_WALLETS: z
    .string()
    .regex(/^([0-9a-f-]{36}:\d{1,3}(,[0-9a-f-]{36}:\d{1,3}){0,99})?$/, 'tenantRef:country pairs, comma separated')
    .default(''),
  /** Units of a newly listed instrument minted to the house wallet, which delivers what venues outside the platform sell. */
  CHAIN_LISTING_SUPPLY_UNITS: z.string().regex(/^[1-9][0-9]{0,17}$/).default('1000000'),
});

export interface ChainConfig {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly signerKey: string;
  readonly walletMnemonic: string;
  readonly confirmations: number;
  readonly pollIntervalMs: number;
  readonly rpcTimeoutMs: number;
  readonly breakerResetMs: number;
  readonly settlementBatchLegs: number;
  readonly walletFundingWei: bigint;
  readonly reorgDepthMax: number;
  readonly auditAnchorIntervalMs: number;
  readonly auditAnchorBatchEntries: number;
  readonly omnibusWallets: readonly { readonly tenantRef: string; readonly country: number }[];
  readonly listingSupplyUnits: string;
}

/** The chain configuration, or undefined when the stack runs without a chain. */
export function parseChainConfig(env: Readonly<Record<string, string | undefined>>): ChainConfig | undefined {
  const e = parseEnv(ChainEnvSchema, env);
  if (e.CHAIN_RPC_URL === undefined) return undefined;
  if (e.CHAIN_ID === undefined || e.CHAIN_SIGNER_KEY === undefined || e.CHAIN_WALLET_MNEMONIC === undefined) {
    throw new ConfigError('CHAIN_RPC_URL needs CHAIN_ID, CHAIN_SIGNER_KEY and CHAIN_WALLET_MNEMONIC');
  }
  return deepFreeze({
    rpcUrl: e.CHAIN_RPC_URL,
    chainId: e.CHAIN_ID,
    signerKey: e.CHAIN_SIGNER_KEY,
    walletMnemonic: e.CHAIN_WALLET_MNEMONIC,
    confirmations: e.CHAIN_CONFIRMATIONS,
    pollIntervalMs: e.CHAIN_POLL_INTERVAL_MS,
    rpcTimeoutMs: e.CHAIN_RPC_TIMEOUT_MS,
    breakerResetMs: e.CHAIN_BREAKER_RESET_MS,
    settlementBatchLegs: e.CHAIN_SETTLEMENT_BATCH_LEGS,
    walletFundingWei: BigInt(e.CHAIN_WALLET_FUNDING_WEI),
    reorgDepthMax: e.CHAIN_REORG_DEPTH_MAX,
    auditAnchorIntervalMs: e.CHAIN_AUDIT_ANCHOR_INTERVAL_MS,
    auditAnchorBatchEntries: e.CHAIN_AUDIT_ANCHOR_BATCH_ENTRIES,
    omnibusWallets: parseOmnibusWallets(e.CHAIN_OMNIBUS_WALLETS),
    listingSupplyUnits: e.CHAIN_LISTING_SUPPLY_UNITS,
  });
}

function parseOmnibusWallets(list: string): { tenantRef: string; country: number }[] {
  if (list === '') return [];
  return list.split(',').map((pair) => {
    const [tenantRef = '', country = ''] = pair.split(':');
    if (!z.uuid().safeParse(tenantRef).success) throw new ConfigError(`CHAIN_OMNIBUS_WALLETS: ${tenantRef} is not a UUID`);
    const code = Number(country);
    if (code > 999) throw new ConfigError(`CHAIN_OMNIBUS_WALLETS: ${country} is not an ISO 3166-1 numeric code`);
    return { tenantRef, country: code };
  });
}
