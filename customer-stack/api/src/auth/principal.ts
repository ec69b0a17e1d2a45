import type { Role } from './permissions.js';

/** Who is calling, as the access token and its live session say. */
export interface Principal {
  readonly userId: string;
  readonly tenantId: string;
  /** The investor's opaque reference across the wall; null for staff. */
  readonly accountRef: string | null;
  readonly roles: Role[];
  /** The session (= refresh-token family) the access token belongs to. */
  readonly sessionId: string;
}
