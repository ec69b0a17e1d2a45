// Streams an export file through the verifier in chunks of whole lines. Large files are verified
// on worker threads (each proves its chunks on its own: entry hashes, links, leaves and aligned
// Merkle subtrees); the main thread reads, joins the chunks in file order and checks every
// anchored root. A chunk a worker declines is re-verified line by line, so the verdict and the
// first failure it names are exactly those of the line-by-line AuditExportVerifier.
import { open } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  AUDIT_EXPORT_LINE_BYTES_MAX, AuditExportVerifier, ExportChunkVerifier, assert, pushExportChunk, type AnchoredBatch, type AuditExportReport,
  type ExportChunkSummary,
} from '@bulwark/shared-contracts/audit';

export const READ_CHUNK_BYTES = 4 << 20;
/** Below this size the file is verified on the calling thread: starting workers would cost more than they save. */
export const PARALLEL_FILE_BYTES_MIN = 16 << 20;
export const THREADS_MAX = 16;
/** Chunks queued per thread: enough to keep every thread busy while the main thread reads and folds. */
export const CHUNKS_IN_FLIGHT_PER_THREAD = 2;
/** A line of more bytes than this has more than AUDIT_EXPORT_LINE_BYTES_MAX characters (at most 3 UTF-8 bytes each). */
const LINE_CARRY_BYTES_MAX = 3 * AUDIT_EXPORT_LINE_BYTES_MAX + 3;
/** Room beyond a chunk for the partial line carried over, so a pooled buffer fits the next read. */
const CHUNK_SLACK_BYTES = 64 << 10;
/** Free chunk buffers kept for reuse; more than the chunks ever in flight at once (threads × CHUNKS_IN_FLIGHT_PER_THREAD + 1). */
const POOLED_BUFFERS_MAX = THREADS_MAX * CHUNKS_IN_FLIGHT_PER_THREAD + 2;
const NEWLINE = 0x0a;

export interface Progress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly entries: number;
}

export interface VerifyOptions {
  /** Worker threads; 0 verifies on the calling thread. Default: every core for files of PARALLEL_FILE_BYTES_MIN or more. */
  readonly threads?: number;
  readonly chunkBytes?: number;
}

/** What the main thread sends a worker: the chunk's own ArrayBuffer (transferred), lines from byte 0. */
export interface ChunkRequest {
  readonly id: number;
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

export interface ChunkReply extends ChunkRequest {
  readonly summary: ExportChunkSummary;
}

export interface WorkerSetup {
  readonly anchorEnds: Float64Array;
}

/**
 * Chunks of whole lines, each in its own ArrayBuffer (so it can be transferred to a worker). The
 * buffers come from `pool` when one is free: a fresh 4 MiB ArrayBuffer per chunk is zeroed and
 * page-faulted in by the kernel, and thrown away it keeps the main thread's GC busy (a sixth of
 * its time in a CPU profile), so proved chunks hand their buffers back through `pool`.
 */
async function* lineChunks(path: string, chunkBytes: number, pool: ArrayBuffer[]): AsyncGenerator<ChunkRequest> {
  const file = await open(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (let id = 0; ; id += 1) {
      const needed = carry.length + chunkBytes;
      const pooled = pool.pop();
      const buffer = pooled !== undefined && pooled.byteLength >= needed ? pooled : new ArrayBuffer(needed + CHUNK_SLACK_BYTES);
      const bytes = Buffer.from(buffer);
      carry.copy(bytes);
      const { bytesRead } = await file.read(bytes, carry.length, chunkBytes, null);
      const filled = carry.length + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) yield { id, buffer, length: filled };
        return;
      }
      const lastNewline = bytes.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline < 0 && filled <= LINE_CARRY_BYTES_MAX) {
        carry = Buffer.from(bytes.subarray(0, filled)); // a line longer than a chunk: read on
        pool.push(buffer);
        continue;
      }
      // An over-long line without its newline goes as it is: the verifier refuses it as too long.
      const end = lastNewline < 0 ? filled : lastNewline + 1;
      carry = Buffer.from(bytes.subarray(end, filled));
      yield { id, buffer, length: end };
    }
  } finally {
    await file.close();
  }
}

/** Worker threads proving chunks, round robin; a worker that fails fails every chunk it holds. */
class ChunkPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (reply: ChunkReply) => void; reject: (error: Error) => void }>();
  private next = 0;
  private closing = false;

  constructor(threads: number, anchorEnds: Float64Array) {
    const setup: WorkerSetup = { anchorEnds };
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: setup });
      worker.on('message', (reply: ChunkReply) => {
        const waiter = this.waiting.get(reply.id);
        assert(waiter !== undefined, 'a worker answers a chunk it was given');
        this.waiting.delete(reply.id);
        waiter.resolve(reply);
      });
      const failAll = (error: Error) => {
        if (this.closing) return;
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      };
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`a verification worker exited (code ${code})`)));
      return worker;
    });
  }

  verify(request: ChunkRequest): Promise<ChunkReply> {
    const worker = this.workers[this.next % this.workers.length] as Worker;
    this.next += 1;
    const reply = new Promise<ChunkReply>((resolve, reject) => this.waiting.set(request.id, { resolve, reject }));
    worker.postMessage(request, [request.buffer]);
    return reply;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

export async function verifyExportFile(
  path: string,
  anchors: readonly AnchoredBatch[],
  onProgress?: (progress: Progress) => void,
  options: VerifyOptions = {},
): Promise<AuditExportReport> {
  const bytesTotal = statSync(path).size;
  const threads = options.threads ?? (bytesTotal >= PARALLEL_FILE_BYTES_MIN ? Math.min(availableParallelism(), THREADS_MAX) : 0);
  const chunkBytes = options.chunkBytes ?? READ_CHUNK_BYTES;
  assert(Number.isInteger(threads) && threads >= 0 && threads <= THREADS_MAX, `threads is 0..${THREADS_MAX}`);
  assert(Number.isInteger(chunkBytes) && chunkBytes >= 1 && chunkBytes <= 1 << 30, 'chunk size within limits');
  const verifier = new AuditExportVerifier(anchors);
  if (verifier.failed) return verifier.finish();
  const pool = threads > 0 ? new ChunkPool(threads, verifier.anchorEnds()) : null;
  const local = pool ? null : new ExportChunkVerifier(verifier.anchorEnds());
  const inFlight: Promise<ChunkReply>[] = [];
  const buffers: ArrayBuffer[] = [];
  let bytesRead = 0;
  let going = true;

  /** Folds a proved chunk in file order; false once the export has failed. */
  const fold = ({ buffer, length, summary }: ChunkReply): boolean => {
    going = pushExportChunk(verifier, new Uint8Array(buffer, 0, length), summary);
    if (buffers.length < POOLED_BUFFERS_MAX) buffers.push(buffer);
    onProgress?.({ bytesRead, bytesTotal, entries: verifier.entries });
    return going;
  };

  try {
    for await (const chunk of lineChunks(path, chunkBytes, buffers)) {
      bytesRead += chunk.length;
      let request = chunk;
      if (!verifier.headerRead) {
        // The header is the first line: the verifier reads it, the rest of the chunk goes on as a chunk of its own.
        const bytes = new Uint8Array(chunk.buffer, 0, chunk.length);
        const newline = bytes.indexOf(NEWLINE);
        const headerEnd = newline < 0 ? chunk.length : newline;
        if (!verifier.push(Buffer.from(chunk.buffer, 0, headerEnd).toString('utf8'))) break;
        const rest = bytes.slice(Math.min(headerEnd + 1, chunk.length));
        request = { id: chunk.id, buffer: rest.buffer, length: rest.length };
      }
      if (local) {
        if (!fold({ ...request, summary: local.verify(new Uint8Array(request.buffer, 0, request.length)) })) break;
        continue;
      }
      inFlight.push((pool as ChunkPool).verify(request));
      while (going && inFlight.length >= threads * CHUNKS_IN_FLIGHT_PER_THREAD) fold(await (inFlight.shift() as Promise<ChunkReply>));
      if (!going) break;
    }
    while (going && inFlight.length > 0) fold(await (inFlight.shift() as Promise<ChunkReply>));
    return verifier.finish();
  } finally {
    await pool?.close();
  }
}
