// What the chain status route answers, as plain types: the one definition the controller returns
// and the operator admin reads. No imports, so the browser build can take it (`import type`)
// without pulling in any server code.

export interface ChainQueues {
  readonly breaker: { readonly state: 'closed' | 'open' | 'half_open'; readonly openedCount: number; readonly lastOpenedAt: string | null };
  readonly settlements: {
    readonly queued: number;
    readonly batched: number;
    readonly settled: number;
    readonly failed: number;
    /** Settled (mined with enough confirmations) but whose Transfer events the indexer has not matched yet. */
    readonly settledUnconfirmed: number;
    readonly oldestWaitingAt: string | null;
  };
  readonly transactions: { readonly pending: number; readonly signed: number; readonly failed: number; readonly oldestOpenAt: string | null };
  readonly listingsQueued: number;
  /** Listings whose deployment failed LISTING_ATTEMPTS_MAX (chain.service.ts) times: they wait for a person. */
  readonly listingsStuck: number;
  readonly walletsPending: number;
  readonly anchorsQueued: number;
}

export interface ChainStatus {
  readonly chainId: string;
  /** The node's latest block, or null when it does not answer (the breaker is open or the call failed). */
  readonly headBlock: number | null;
  readonly rpcAvailable: boolean;
  readonly confirmations: number;
  readonly indexedBlock: string | null;
  readonly contracts: readonly { purpose: string; address: string; deployedAt: string }[];
  readonly instruments: readonly { instrumentId: string; tokenAddress: string; contracts: Record<string, unknown>; deployedAt: string }[];
  readonly transactions: Readonly<Record<'pending' | 'signed' | 'mined' | 'failed', number>>;
  readonly settlementsQueued: number;
  readonly anchors: readonly {
    log: string; batchId: string; merkleRoot: string; entryCount: number; firstSeq: string; lastSeq: string; status: string;
    txHash: string | null; blockNumber: string | null; requestedAt: string;
  }[];
  /** The RPC breaker and the settlement, transaction, listing, wallet and anchor queues. */
  readonly queues: ChainQueues;
}
