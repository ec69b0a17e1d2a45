// The durable nonce store: the wall_inbound table of the receiving stack, written in the same
// transaction as the handler's effects. Any database error propagates, so the message is not
// processed and is redelivered later: the store fails closed.
import type { NonceClaim, NonceOutcome, NonceStore } from '../envelope/envelope.js';
import { assert } from '../assert.js';
import type { SqlTx } from './sql.js';

export const NONCE_CLAIMS_PER_STATEMENT_MAX = 1_000;

interface ClaimRow {
  ord: string;
  fresh: boolean;
  nonce_body: string | null;
  nonce_seq: string | null;
  id_body: string | null;
}

export class PgNonceStore implements NonceStore {
  constructor(private readonly tx: SqlTx) {}

  async claim(claims: readonly NonceClaim[]): Promise<readonly NonceOutcome[]> {
    assert(claims.length <= NONCE_CLAIMS_PER_STATEMENT_MAX, 'nonce claims per statement within limit');
    if (claims.length === 0) return [];
    // The data-modifying CTE's rows are invisible to the outer SELECT, so `n` and `m` only see
    // rows that existed before this statement: exactly what classification needs.
    const rows = await this.tx.query<ClaimRow>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
           WITH ORDINALITY AS t(kid, nonce, message_id, subject, body_sha256, stream_seq, sent_ms, ord)
       ), inserted AS (
         INSERT INTO wall_inbound (kid, nonce, message_id, subject, body_sha256, stream_seq, sent_at)
         SELECT kid, nonce, message_id, subject, body_sha256, stream_seq, to_timestamp(sent_ms / 1000.0) FROM input ORDER BY ord
         ON CONFLICT DO NOTHING
         RETURNING kid, nonce
       )
       SELECT i.ord, (ins.kid IS NOT NULL) AS fresh, n.body_sha256 AS nonce_body, n.stream_seq AS nonce_seq, m.body_sha256 AS id_body
         FROM input i
         LEFT JOIN inserted ins ON ins.kid = i.kid AND ins.nonce = i.nonce
         LEFT JOIN wall_inbound n ON n.kid = i.kid AND n.nonce = i.nonce
         LEFT JOIN wall_inbound m ON m.message_id = i.message_id
        ORDER BY i.ord`,
      [
        claims.map((c) => c.kid),
        claims.map((c) => c.nonce),
        claims.map((c) => c.messageId),
        claims.map((c) => c.subject),
        claims.map((c) => c.bodySha256),
        claims.map((c) => c.streamSeq ?? null),
        claims.map((c) => c.sentAtMs),
      ],
    );
    assert(rows.length === claims.length, 'one classification per claim');
    return rows.map((row, index): NonceOutcome => {
      const claim = claims[index];
      assert(claim !== undefined && Number(row.ord) === index + 1, 'classifications keep claim order');
      if (row.fresh) return 'fresh';
      if (row.nonce_body !== null) {
        if (row.nonce_body !== claim.bodySha256) return 'nonce_reuse';
        // The same stored message delivered again (an ack lost in flight) is not an attack.
        const sameStoredMessage = claim.streamSeq !== undefined && row.nonce_seq !== null && row.nonce_seq === String(claim.streamSeq);
        return sameStoredMessage ? 'duplicate' : 'replay';
      }
      if (row.id_body !== null) return row.id_body === claim.bodySha256 ? 'duplicate' : 'nonce_reuse';
      return 'replay'; // the same (kid, nonce) twice inside one batch
    });
  }
}
