/** Entries per read of the chain (verification pages, anchor ranges): also enforced by audit_chain_range in SQL. */
export const AUDIT_CHAIN_PAGE_MAX = 10_000;
/** Entries per recordMany call, and per INSERT statement. */
export const AUDIT_BATCH_MAX = 10_000;
/** Entries one transaction may record before it commits (appended then, AUDIT_BATCH_MAX per statement). */
export const AUDIT_DEFERRED_PER_TX_MAX = 100_000;
/** Length limits on the text fields of an entry. */
export const AUDIT_ACTOR_LENGTH_MAX = 200;
export const AUDIT_ACTION_LENGTH_MAX = 100;
export const AUDIT_RESOURCE_LENGTH_MAX = 300;
/** Canonical JSON bytes of one entry's diff. */
export const AUDIT_DIFF_BYTES_MAX = 16_384;
