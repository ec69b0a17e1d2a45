// The nonce claim as one combined statement (insert, then classify every claim against the rows
// that existed before it), which PgNonceStore ran before it split the rare collisions off into a
// second statement. Kept as the reference the store is compared with, in its test (outcomes)
// and in bench/nonce-claim.bench.ts (database CPU per claim).
import type { NonceClaim, NonceOutcome } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';

/** The outcomes the old statement gave (including its two mistakes, see pg-nonce-store.test.ts). */
export async function referenceNonceClaim(tx: SqlTx, claims: readonly NonceClaim[]): Promise<NonceOutcome[]> {
  const rows = await tx.query<{ fresh: boolean; nonce_body: string | null; nonce_seq: string | null; id_body: string | null }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
         WITH ORDINALITY AS t(kid, nonce, message_id, subject, body_sha256, stream_seq, sent_ms, ord)
     ), inserted AS (
       INSERT INTO wall_inbound (kid, nonce, message_id, subject, body_sha256, stream_seq, sent_at)
       SELECT kid, nonce, message_id, subject, body_sha256, stream_seq, to_timestamp(sent_ms / 1000.0) FROM input ORDER BY ord
       ON CONFLICT DO NOTHING
       RETURNING kid, nonce
     )
     SELECT (ins.kid IS NOT NULL) AS fresh, n.body_sha256 AS nonce_body, n.stream_seq AS nonce_seq, m.body_sha256 AS id_body
       FROM input i
       LEFT JOIN inserted ins ON ins.kid = i.kid AND ins.nonce = i.nonce
       LEFT JOIN wall_inbound n ON n.kid = i.kid AND n.nonce = i.nonce
       LEFT JOIN wall_inbound m ON m.message_id = i.message_id
      ORDER BY i.ord`,
    [
      claims.map((c) => c.kid), claims.map((c) => c.nonce), claims.map((c) => c.messageId), claims.map((c) => c.subject),
      claims.map((c) => c.bodySha256), claims.map((c) => c.streamSeq ?? null), claims.map((c) => c.sentAtMs),
    ],
  );
  return rows.map((row, i) => {
    const claim = claims[i] as NonceClaim;
    if (row.fresh) return 'fresh';
    if (row.nonce_body !== null) {
      if (row.nonce_body !== claim.bodySha256) return 'nonce_reuse';
      return claim.streamSeq !== undefined && row.nonce_seq === String(claim.streamSeq) ? 'duplicate' : 'replay';
    }
    if (row.id_body !== null) return row.id_body === claim.bodySha256 ? 'duplicate' : 'nonce_reuse';
    return 'replay';
  });
}
