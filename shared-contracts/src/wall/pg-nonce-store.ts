// The durable nonce store: the wall_inbound table of the receiving stack, written in the same
// transaction as the handler's effects. Any database error propagates, so the message is not
// processed and is redelivered later: the store fails closed.
import type { NonceClaim, NonceOutcome, NonceStore } from '../envelope/envelope.js';
import { assert } from '../assert.js';
import type { SqlTx } from './sql.js';

export const NONCE_CLAIMS_PER_STATEMENT_MAX = 1_000;

interface ExistingRow {
  ord: string;
  nonce_body: string | null;
  nonce_seq: string | null;
  id_kid: string | null;
  id_nonce: string | null;
  id_body: string | null;
}

const pairKey = (kid: string, nonce: string): string => `${kid}\u0000${nonce}`;

export class PgNonceStore implements NonceStore {
  constructor(private readonly tx: SqlTx) {}

  /**
   * Inserts every claim (ON CONFLICT DO NOTHING) and classifies the ones that were not new.
   * Nearly every claim is new, so the common case is one INSERT and nothing else; the rows a
   * claim collided with are looked up in a second statement only when some claim did. That
   * lookup ignores the rows this batch itself inserted (known from RETURNING), so a claim is
   * classified against what existed before the batch. A claim is fresh only if its own row was
   * inserted: the first of identical claims in a batch, never a later copy (a replay), unless
   * that copy is the same stored message (same stream sequence and body): JetStream redelivered
   * it while its first delivery still waited in the queue, a duplicate and not an attack.
   */
  async claim(claims: readonly NonceClaim[]): Promise<readonly NonceOutcome[]> {
    assert(claims.length <= NONCE_CLAIMS_PER_STATEMENT_MAX, 'nonce claims per statement within limit');
    if (claims.length === 0) return [];
    const kids = claims.map((c) => c.kid);
    const nonces = claims.map((c) => c.nonce);
    const messageIds = claims.map((c) => c.messageId);
    const inserted = await this.tx.query<{ kid: string; nonce: string; message_id: string }>(
      `INSERT INTO wall_inbound (kid, nonce, message_id, subject, body_sha256, stream_seq, sent_at)
       SELECT kid, nonce, message_id, subject, body_sha256, stream_seq, to_timestamp(sent_ms / 1000.0)
         FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
              WITH ORDINALITY AS t(kid, nonce, message_id, subject, body_sha256, stream_seq, sent_ms, ord)
        ORDER BY ord
       ON CONFLICT DO NOTHING
       RETURNING kid, nonce, message_id`,
      [
        kids, nonces, messageIds,
        claims.map((c) => c.subject),
        claims.map((c) => c.bodySha256),
        claims.map((c) => c.streamSeq ?? null),
        claims.map((c) => c.sentAtMs),
      ],
    );
    assert(inserted.length <= claims.length, 'at most one row inserted per claim');
    const insertedPairs = new Set(inserted.map((row) => pairKey(row.kid, row.nonce)));
    // Rows go in in claim order, so the first claim carrying an inserted row's (kid, nonce, id) is the one that inserted it.
    const unclaimedRows = new Set(inserted.map((row) => `${pairKey(row.kid, row.nonce)}\u0000${row.message_id}`));
    const outcomes: (NonceOutcome | undefined)[] = claims.map((c) => (unclaimedRows.delete(`${pairKey(c.kid, c.nonce)}\u0000${c.messageId}`) ? 'fresh' : undefined));
    assert(unclaimedRows.size === 0, 'every inserted row is a claim of the batch');
    const collided = outcomes.flatMap((outcome, index) => (outcome === undefined ? [index] : []));
    if (collided.length === 0) return outcomes as NonceOutcome[];
    const rows = await this.tx.query<ExistingRow>(
      `SELECT t.ord, n.body_sha256 AS nonce_body, n.stream_seq AS nonce_seq, m.kid AS id_kid, m.nonce AS id_nonce, m.body_sha256 AS id_body
         FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY AS t(kid, nonce, message_id, ord)
         LEFT JOIN wall_inbound n ON n.kid = t.kid AND n.nonce = t.nonce
         LEFT JOIN wall_inbound m ON m.message_id = t.message_id
        ORDER BY t.ord`,
      [collided.map((i) => kids[i]), collided.map((i) => nonces[i]), collided.map((i) => messageIds[i])],
    );
    assert(rows.length === collided.length, 'one lookup per collided claim');
    rows.forEach((row, position) => {
      const index = collided[position];
      const claim = index === undefined ? undefined : claims[index];
      assert(index !== undefined && claim !== undefined && Number(row.ord) === position + 1, 'lookups keep claim order');
      // Rows this batch inserted did not exist before it: a claim is never classified against them.
      const nonceRowBefore = !insertedPairs.has(pairKey(claim.kid, claim.nonce));
      const idRowBefore = row.id_body !== null && !insertedPairs.has(pairKey(row.id_kid ?? '', row.id_nonce ?? ''));
      const storedMessageAgain = !nonceRowBefore && claim.streamSeq !== undefined && row.nonce_seq === String(claim.streamSeq) && row.nonce_body === claim.bodySha256;
      outcomes[index] = storedMessageAgain ? 'duplicate' : classify(claim, nonceRowBefore ? row.nonce_body : null, row.nonce_seq, idRowBefore ? row.id_body : null);
    });
    return outcomes.map((outcome) => {
      assert(outcome !== undefined, 'every claim classified');
      return outcome;
    });
  }
}

/** A claim that was not inserted, against the rows that existed before its batch. */
function classify(claim: NonceClaim, nonceBody: string | null, nonceSeq: string | null, idBody: string | null): NonceOutcome {
  if (nonceBody !== null) {
    if (nonceBody !== claim.bodySha256) return 'nonce_reuse';
    // The same stored message delivered again (an ack lost in flight) is not an attack.
    const sameStoredMessage = claim.streamSeq !== undefined && nonceSeq !== null && nonceSeq === String(claim.streamSeq);
    return sameStoredMessage ? 'duplicate' : 'replay';
  }
  if (idBody !== null) return idBody === claim.bodySha256 ? 'duplicate' : 'nonce_reuse';
  return 'replay'; // the same (kid, nonce) twice inside one batch
}
