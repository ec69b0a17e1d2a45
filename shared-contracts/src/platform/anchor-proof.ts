// The audit proof routes of both stacks answer a refused proof the same way: problem+json with
// the refusal's code and its status (see ANCHOR_PROOF_HTTP_STATUS).
import { HttpException } from '@nestjs/common';
import { AnchorProofError } from '../audit/anchor-batch.js';

export async function answerAnchorProof<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AnchorProofError) throw new HttpException({ message: error.message, code: error.code }, error.status);
    throw error;
  }
}
