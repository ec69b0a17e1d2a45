// A verification thread: proves chunks of whole export lines (ExportChunkVerifier) and hands
// each chunk's bytes back with its summary, so the main thread can fold it in, or re-verify it
// line by line when the chunk is declined.
import { parentPort, workerData } from 'node:worker_threads';
import { ExportChunkVerifier } from '@bulwark/shared-contracts/audit';
import type { ChunkReply, ChunkRequest, WorkerSetup } from './verify-file.js';

const port = parentPort;
if (!port) throw new Error('verify-worker runs as a worker thread');
const verifier = new ExportChunkVerifier((workerData as WorkerSetup).anchorEnds);

port.on('message', ({ id, buffer, length }: ChunkRequest) => {
  const summary = verifier.verify(new Uint8Array(buffer, 0, length));
  const reply: ChunkReply = { id, buffer, length, summary };
  port.postMessage(reply, [buffer]);
});
