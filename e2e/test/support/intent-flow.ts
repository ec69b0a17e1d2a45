// A steady flow of intents into the customer stack while a fault happens: batches at a fixed
// interval, carrying on through the fault. A batch whose call dies with the stack may or may not
// have committed (the transaction decides); the books are read from the databases afterwards,
// which is the point: whatever was committed must be answered exactly once.
import type { IntentInput } from './stack.child.js';
import { StackExited, type StackProcess } from './stack-process.js';

export interface FlowOptions {
  readonly batches: number;
  readonly perBatch: number;
  readonly intervalMs: number;
  /** Called before each batch with its index (0-based): the place to inject the fault. */
  readonly before?: (batch: number) => Promise<void>;
}

export interface FlowResult {
  /** Ids of intents whose submission returned (committed for certain). */
  readonly confirmed: string[];
  /** Batches lost with the process (committed or not: the database says). */
  readonly interrupted: number;
}

export async function runIntentFlow(customer: StackProcess, intent: () => IntentInput, options: FlowOptions): Promise<FlowResult> {
  const confirmed: string[] = [];
  let interrupted = 0;
  for (let batch = 0; batch < options.batches; batch += 1) {
    await options.before?.(batch);
    const startedAt = Date.now();
    while (!customer.running) await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      confirmed.push(...(await customer.call('submitIntents', { inputs: Array.from({ length: options.perBatch }, intent) })));
    } catch (error) {
      if (!(error instanceof StackExited)) throw error;
      interrupted += 1;
    }
    const restMs = options.intervalMs - (Date.now() - startedAt);
    if (restMs > 0) await new Promise((resolve) => setTimeout(resolve, restMs));
  }
  return { confirmed, interrupted };
}
