import { SetMetadata, type CustomDecorator } from '@nestjs/common';

export const GROUP_COMMIT = 'bulwark:group-commit';

/**
 * Lets concurrent requests of one tenant on this mutation share a transaction (group commit, see
 * RequestTransaction). Only for a handler whose work is all in this database, with nothing slow
 * between its runs: its group's other members wait for it. The reason says why that holds.
 */
export function GroupCommit(reason: string): CustomDecorator<string> {
  return SetMetadata(GROUP_COMMIT, reason);
}
