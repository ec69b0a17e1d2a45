// Reads every root an AuditAnchor contract holds, from its RootAnchored events, through a plain
// JSON-RPC endpoint: the chain is the verifier's only other source of truth.
import { Interface, JsonRpcProvider, getAddress } from 'ethers';
import type { AnchoredBatch } from '@bulwark/shared-contracts/audit';

const ANCHOR_EVENTS = new Interface(['event RootAnchored(uint64 indexed batchId, bytes32 root, uint64 entryCount, uint64 anchoredAt)']);
/** Blocks asked for per eth_getLogs call (public nodes cap the range). */
export const LOG_BLOCKS_PER_CALL_MAX = 50_000;
/** Batches read at most: far above any log, bounded all the same. */
export const ANCHORED_BATCHES_MAX = 10_000_000;

export async function readAnchoredBatches(rpcUrl: string, anchorAddress: string, fromBlock = 0): Promise<AnchoredBatch[]> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const address = getAddress(anchorAddress);
    const code = await provider.getCode(address);
    if (code === '0x') throw new Error(`no contract at ${address}`);
    const head = await provider.getBlockNumber();
    const topic = ANCHOR_EVENTS.getEvent('RootAnchored')?.topicHash;
    const batches: AnchoredBatch[] = [];
    for (let from = fromBlock; from <= head; from += LOG_BLOCKS_PER_CALL_MAX) {
      const to = Math.min(head, from + LOG_BLOCKS_PER_CALL_MAX - 1);
      const logs = await provider.getLogs({ address, fromBlock: from, toBlock: to, topics: topic ? [topic] : [] });
      for (const log of logs) {
        const parsed = ANCHOR_EVENTS.parseLog({ topics: [...log.topics], data: log.data });
        if (!parsed) continue;
        batches.push({
          batchId: BigInt(parsed.args[0] as bigint),
          root: (parsed.args[1] as string).slice(2),
          entryCount: BigInt(parsed.args[2] as bigint),
          txHash: log.transactionHash,
          blockNumber: log.blockNumber,
        });
        if (batches.length > ANCHORED_BATCHES_MAX) throw new Error('more anchored batches than the verifier reads');
      }
    }
    return batches;
  } finally {
    provider.destroy();
  }
}
