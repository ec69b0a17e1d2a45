// The audit chain's own entry point (`@bulwark/shared-contracts/audit`): the hash chain, RFC 9162
// trees and the export verifier, without the envelope, schemas and runtime the root pulls in.
// The standalone verifier's worker threads load only this: each worker imports on its own, and
// the root costs a worker ~90 ms of CPU to load.
export { assert, InvariantError } from '../assert.js';
export * from './hash-chain.js';
export * from './merkle.js';
export * from './audit-export.js';
export * from './audit-export-chunk.js';
