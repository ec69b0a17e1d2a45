// Settlement batches over HTTP, for operators only (PS256-signed requests, like every operator
// route): cut a batch for a period, list and read batches with their instructions, download the
// exports (the content hash in a header), submit, approve with a PS256 signature over the batch
// hash, reject with a reason, release with the bank reference. Nothing here pays anyone.
import { createHash } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../members/members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from '../members/request-signature.js';
import { CurrentPrincipal, PrincipalKind, SignedRequestGuard } from '../members/signed-request.guard.js';
import { SettlementError, SettlementErrorCode } from './settlement.errors.js';
import { BATCH_PAGE_ROWS_MAX, REJECTION_REASON_CHARS_MAX, SettlementService, type ExportFormat } from './settlement.service.js';
import { BATCH_STATUSES, type BatchDetail, type BatchView } from './settlement.views.js';

/** The batch's content hash (SHA-256 of its canonical content, what approvers sign) on every export. */
export const CONTENT_HASH_HEADER = 'x-bulwark-content-sha256';

export const CutBatchRequest = z.strictObject({
  periodStart: z.iso.datetime().optional(),
  periodEnd: z.iso.datetime().optional(),
}).refine((b) => (b.periodStart === undefined) === (b.periodEnd === undefined), 'give both ends of the period, or neither for the previous UTC day');
export const ApprovalRequest = z.strictObject({
  /** Compact JWS, PS256, `kid` = one of the operator's own key ids, payload = approvalPayload(batchId, contentHash). */
  signature: z.string().min(16).max(8_192),
});
export const RejectionRequest = z.strictObject({ reason: z.string().min(3).max(REJECTION_REASON_CHARS_MAX) });
export const ReleaseRequest = z.strictObject({ bankReference: z.string().min(1).max(35) });
const BatchQuery = z.strictObject({
  status: z.enum(BATCH_STATUSES).optional(),
  before: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(BATCH_PAGE_ROWS_MAX).default(50),
});

const EXPORTS: Readonly<Record<ExportFormat, { contentType: string; extension: string }>> = {
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  pain001: { contentType: 'application/xml; charset=utf-8', extension: 'xml' },
};

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new SettlementError(SettlementErrorCode.BadRequest, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

const bodySchema = (schema: z.ZodType) => ({ schema: z.toJSONSchema(schema, { io: 'input' }) as object });

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator/settlement')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class SettlementController {
  constructor(@Inject(SettlementService) private readonly settlement: SettlementService) {}

  @Post('batches')
  @ApiBody(bodySchema(CutBatchRequest))
  @ApiOkResponse({ description: 'The draft batch: the period netted into one instruction per counterparty and currency' })
  async cut(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<BatchDetail> {
    const request = parse(CutBatchRequest, body);
    const period = request.periodStart && request.periodEnd
      ? { periodStart: request.periodStart, periodEnd: request.periodEnd }
      : SettlementService.previousDay(Date.now());
    const batch = await this.settlement.createBatch(period.periodStart, period.periodEnd, operator.id);
    return this.settlement.get(batch.batchId);
  }

  @Get('batches')
  @ApiOkResponse({ description: 'Batches, newest period first (status, before = a period start, limit 1..200)' })
  async list(@Query() query: unknown): Promise<{ batches: BatchView[] }> {
    const q = parse(BatchQuery, query);
    return { batches: await this.settlement.list({ limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.before ? { before: q.before } : {}) }) };
  }

  @Get('batches/:batchId')
  @ApiOkResponse({ description: 'A batch with its approvals and instructions' })
  get(@Param('batchId', ParseUUIDPipe) batchId: string): Promise<BatchDetail> {
    return this.settlement.get(batchId);
  }

  @Get('batches/:batchId/exports/:format')
  @ApiProduces(...Object.values(EXPORTS).map((e) => e.contentType))
  @ApiOkResponse({ description: `The export as a file (csv, json or pain001); ${CONTENT_HASH_HEADER} carries the batch content hash, Repr-Digest the file's SHA-256` })
  async export(@Param('batchId', ParseUUIDPipe) batchId: string, @Param('format') format: string, @Res() response: Response): Promise<void> {
    if (format !== 'csv' && format !== 'json' && format !== 'pain001') throw new SettlementError(SettlementErrorCode.BadRequest, 'format: csv, json or pain001');
    const exports = await this.settlement.exports(batchId);
    const text = exports[format];
    const { contentType, extension } = EXPORTS[format];
    response
      .status(200)
      .set({
        'content-type': contentType,
        'content-disposition': `attachment; filename="settlement-${batchId}.${extension}"`,
        [CONTENT_HASH_HEADER]: exports.contentHash,
        'repr-digest': `sha-256=:${createHash('sha256').update(text).digest('base64')}:`,
      })
      .send(text);
  }

  @Post('batches/:batchId/submit')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The batch, pending approval' })
  submit(@CurrentPrincipal() operator: Principal, @Param('batchId', ParseUUIDPipe) batchId: string): Promise<BatchView> {
    return this.settlement.submit(batchId, operator.id);
  }

  @Post('batches/:batchId/approvals')
  @HttpCode(200)
  @ApiBody(bodySchema(ApprovalRequest))
  @ApiOkResponse({ description: 'The batch with this approval; approved at the second approval by a different operator' })
  approve(@CurrentPrincipal() operator: Principal, @Param('batchId', ParseUUIDPipe) batchId: string, @Body() body: unknown): Promise<BatchView> {
    return this.settlement.approve(batchId, operator.id, parse(ApprovalRequest, body).signature);
  }

  @Post('batches/:batchId/reject')
  @HttpCode(200)
  @ApiBody(bodySchema(RejectionRequest))
  @ApiOkResponse({ description: 'The rejected batch; its period may be netted again' })
  reject(@CurrentPrincipal() operator: Principal, @Param('batchId', ParseUUIDPipe) batchId: string, @Body() body: unknown): Promise<BatchView> {
    return this.settlement.reject(batchId, operator.id, parse(RejectionRequest, body).reason);
  }

  @Post('batches/:batchId/release')
  @HttpCode(200)
  @ApiBody(bodySchema(ReleaseRequest))
  @ApiOkResponse({ description: 'The released batch with the bank reference of its payments' })
  release(@CurrentPrincipal() operator: Principal, @Param('batchId', ParseUUIDPipe) batchId: string, @Body() body: unknown): Promise<BatchView> {
    return this.settlement.release(batchId, operator.id, parse(ReleaseRequest, body).bankReference);
  }
}
