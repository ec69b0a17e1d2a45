// Operator actions, by operators authenticated exactly like members (opaque handles with
// keys): list instruments, register and list members, change a member's limits, halt/resume/
// close/open a market, force-cancel an order, suspend or reinstate a member, and read the audit
// chain that records all of it.
import { Body, Controller, Get, HttpCode, Inject, Param, ParseIntPipe, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EXECUTION_AUDIT_RANGE_MAX, ExecutionAuditService } from '../audit/execution-audit.service.js';
import type { Instrument } from '../market/instruments.service.js';
import { memberError, MemberErrorCode } from './member.errors.js';
import { MembersService, parseBody, type MemberView, type Principal } from './members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from './request-signature.js';
import { CurrentPrincipal, PrincipalKind, SignedRequestGuard } from './signed-request.guard.js';

const SessionAction = z.enum(['halt', 'resume', 'close', 'open']);
const HaltBody = z.strictObject({ cooldownMs: z.number().int().min(0).max(86_400_000).nullable().default(null) });

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class OperatorController {
  constructor(
    @Inject(MembersService) private readonly members: MembersService,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
  ) {}

  @Post('instruments')
  @ApiOkResponse({ description: 'The listed instrument' })
  list(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<Instrument> {
    return this.members.listInstrument(operator.id, body);
  }

  @Post('members')
  @ApiOkResponse({ description: 'The member and the id of its first key' })
  createMember(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<{ member: MemberView; keyId: string }> {
    return this.members.createMember(`operator:${operator.id}`, body as never);
  }

  @Get('members')
  @ApiOkResponse({ description: 'Every member with its kind, status and limits (opaque ids only)' })
  async listMembers(): Promise<{ members: MemberView[] }> {
    return { members: await this.members.listMembers() };
  }

  @Post('members/:memberId/limits')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The member with its new limits, which bind from its next request' })
  setMemberLimits(@CurrentPrincipal() operator: Principal, @Param('memberId', ParseUUIDPipe) memberId: string, @Body() body: unknown): Promise<MemberView> {
    return this.members.setMemberLimits(operator.id, memberId, body);
  }

  @Post('members/:memberId/:action')
  @ApiOkResponse({ description: 'The member after the change' })
  setMemberStatus(
    @CurrentPrincipal() operator: Principal,
    @Param('memberId', ParseUUIDPipe) memberId: string,
    @Param('action') action: string,
  ): Promise<MemberView> {
    if (action !== 'suspend' && action !== 'reinstate') throw memberError(MemberErrorCode.BadRequest, 'suspend or reinstate');
    return this.members.setMemberStatus(operator.id, memberId, action === 'suspend' ? 'suspended' : 'active');
  }

  @Post('instruments/:instrumentId/:action')
  @HttpCode(204)
  async session(
    @CurrentPrincipal() operator: Principal,
    @Param('instrumentId', ParseUUIDPipe) instrumentId: string,
    @Param('action') action: string,
    @Body() body: unknown,
  ): Promise<void> {
    const parsed = SessionAction.safeParse(action);
    if (!parsed.success) throw memberError(MemberErrorCode.BadRequest, 'halt, resume, close or open');
    const { cooldownMs } = parseBody(HaltBody, body ?? {});
    await this.members.setSession(operator.id, instrumentId, parsed.data, cooldownMs);
  }

  @Post('orders/:instrumentId/:orderId/cancel')
  @HttpCode(204)
  async forceCancel(
    @CurrentPrincipal() operator: Principal,
    @Param('instrumentId', ParseUUIDPipe) instrumentId: string,
    @Param('orderId', ParseIntPipe) orderId: number,
  ): Promise<void> {
    await this.members.forceCancel(operator.id, instrumentId, orderId);
  }

  @Get('audit')
  @ApiOkResponse({ description: 'Audit entries fromSeq..toSeq and the head' })
  async auditRange(@Query('fromSeq') from?: string, @Query('toSeq') to?: string): Promise<Record<string, unknown>> {
    const head = await this.audit.head();
    const fromSeq = BigInt(z.coerce.number().int().min(1).default(1).parse(from));
    const last = fromSeq + BigInt(EXECUTION_AUDIT_RANGE_MAX) - 1n;
    const wanted = to === undefined ? head.seq : BigInt(z.coerce.number().int().min(1).parse(to));
    const toSeq = [wanted, last, head.seq].reduce((a, b) => (a < b ? a : b));
    const entries = toSeq < fromSeq ? [] : await this.audit.range(fromSeq, toSeq);
    return { head: { seq: head.seq.toString(), hash: head.hash }, entries: entries.map((e) => ({ ...e, seq: e.seq.toString() })) };
  }
}
