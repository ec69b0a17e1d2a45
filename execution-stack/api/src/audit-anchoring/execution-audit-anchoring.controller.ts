// The operator's view of the execution audit anchoring, authenticated like every operator route
// (a PS256-signed request by an operator key): the latest anchored batch with its transaction,
// an entry's inclusion proof against the root the chain holds, and the check of every anchored
// root against the table.
import { Controller, Get, HttpException, HttpStatus, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { KEY_HEADER, SIGNATURE_HEADER } from '../members/request-signature.js';
import { PrincipalKind, SignedRequestGuard } from '../members/signed-request.guard.js';
import { answerAnchorProof as answer } from '@bulwark/shared-contracts/platform';
import { ExecutionAuditAnchoringService, type AnchorVerification, type ExecutionAnchorBatch } from './execution-audit-anchoring.service.js';

const Seq = z.string().regex(/^[1-9][0-9]{0,15}$/, 'a positive sequence number').transform((s) => BigInt(s));

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator/audit')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class ExecutionAuditAnchoringController {
  constructor(@Inject(ExecutionAuditAnchoringService) private readonly anchoring: ExecutionAuditAnchoringService) {}

  @Get('anchors/latest')
  @ApiOkResponse({ description: 'The latest batch of the execution audit table anchored on chain, with its transaction and block' })
  async latest(): Promise<ExecutionAnchorBatch> {
    const batch = await this.anchoring.latestAnchored();
    if (!batch) throw new HttpException({ message: 'No batch of the execution audit table is anchored yet.', code: 'not_anchored_yet' }, HttpStatus.NOT_FOUND);
    return batch;
  }

  @Get('anchors/verify')
  @ApiOkResponse({ description: 'Every anchored root recomputed from the table and compared with the root the chain holds' })
  verify(): Promise<AnchorVerification> {
    return this.anchoring.verifyAnchors();
  }

  @Get('entries/:seq/proof')
  @ApiOkResponse({ description: 'Inclusion proof (RFC 9162) of one execution audit entry in the root anchored on chain' })
  proof(@Param('seq') seq: string) {
    const parsed = Seq.safeParse(seq);
    if (!parsed.success) throw new HttpException({ message: 'seq must be a positive sequence number', code: 'bad_request' }, HttpStatus.BAD_REQUEST);
    return answer(() => this.anchoring.inclusionProof(parsed.data));
  }
}
