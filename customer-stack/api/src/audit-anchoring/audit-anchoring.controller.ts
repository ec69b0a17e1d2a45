// The auditor's proofs: an entry's inclusion in an anchored root (with the anchoring transaction),
// consistency between two tree sizes, and the NDJSON export the standalone verifier checks.
import { Controller, Get, HttpException, HttpStatus, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { Permissions } from '../auth/permissions.decorator.js';
import { answerAnchorProof as answer } from '@bulwark/shared-contracts/platform';
import { AuditAnchoringService } from './audit-anchoring.service.js';

const Seq = z.string().regex(/^[1-9][0-9]{0,18}$/, 'a positive sequence number').transform((s) => BigInt(s));

function parseSeq(value: unknown, name: string): bigint {
  const parsed = Seq.safeParse(value);
  if (!parsed.success) throw new HttpException(`${name} must be a positive sequence number`, HttpStatus.BAD_REQUEST);
  return parsed.data;
}

@ApiTags('audit')
@Controller('audit')
export class AuditAnchoringController {
  constructor(@Inject(AuditAnchoringService) private readonly anchoring: AuditAnchoringService) {}

  @Get('entries/:seq/proof')
  @Permissions('audit:read')
  @ApiOperation({ summary: 'Inclusion proof (RFC 9162) of one entry in the root anchored on chain, with the anchoring transaction' })
  proof(@Param('seq') seq: string) {
    return answer(() => this.anchoring.inclusionProof(parseSeq(seq, 'seq')));
  }

  @Get('consistency')
  @Permissions('audit:read')
  @ApiOperation({ summary: 'Consistency proof (RFC 9162) that the tree of `from` entries is a prefix of the tree of `to` entries' })
  consistency(@Query('from') from: string, @Query('to') to: string) {
    return answer(() => this.anchoring.consistencyProof(parseSeq(from, 'from'), parseSeq(to, 'to')));
  }

  @Get('export')
  @Permissions('audit:export')
  @ApiOperation({ summary: 'The whole chain as NDJSON for bulwark-verify-audit (header line, then one entry per line)' })
  async export(@Res() response: Response): Promise<void> {
    response.status(200).type('application/x-ndjson');
    for await (const chunk of this.anchoring.exportLines()) {
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
    }
    response.end();
  }
}
