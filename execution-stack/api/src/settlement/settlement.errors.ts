// Refusals of the settlement batcher: one code each, an exhaustive message map with the HTTP
// status (rendered as problem+json by the platform's filter, with the code).
import { HttpException } from '@nestjs/common';

export enum SettlementErrorCode {
  BadRequest = 'settlement_bad_request',
  PeriodInvalid = 'settlement_period_invalid',
  PeriodAlreadyNetted = 'settlement_period_already_netted',
  BatchNotFound = 'settlement_batch_not_found',
  WrongState = 'settlement_batch_wrong_state',
  NotAuthorised = 'settlement_operator_not_authorised',
  BadSignature = 'settlement_signature_invalid',
  SameOperatorTwice = 'settlement_same_operator_twice',
  BankReferenceInvalid = 'settlement_bank_reference_invalid',
  ReasonInvalid = 'settlement_reason_invalid',
  UnknownOperator = 'settlement_unknown_operator',
}

export const SETTLEMENT_ERROR_MESSAGES: Readonly<Record<SettlementErrorCode, [status: number, message: string]>> = {
  [SettlementErrorCode.BadRequest]: [400, 'The request is invalid.'],
  [SettlementErrorCode.PeriodInvalid]: [422, 'The period must end after it starts, in the past, within the longest period allowed.'],
  [SettlementErrorCode.PeriodAlreadyNetted]: [409, 'This period already has a live batch: reject it first if it is still a draft or pending.'],
  [SettlementErrorCode.BatchNotFound]: [404, 'No such settlement batch.'],
  [SettlementErrorCode.WrongState]: [409, 'The batch is not in a state that allows this.'],
  [SettlementErrorCode.NotAuthorised]: [403, 'The operator is not an authorised settlement approver.'],
  [SettlementErrorCode.BadSignature]: [422, "The signature does not verify as PS256 over this batch and content hash with one of the operator's active keys."],
  [SettlementErrorCode.SameOperatorTwice]: [409, 'The same operator cannot approve a batch twice: four eyes means two different people.'],
  [SettlementErrorCode.BankReferenceInvalid]: [422, 'A bank reference is 1 to 35 letters, digits, "-", "/" or ".".'],
  [SettlementErrorCode.ReasonInvalid]: [422, 'A rejection gives its reason: 3 to 500 characters of plain text.'],
  [SettlementErrorCode.UnknownOperator]: [404, 'No active operator has this id.'],
};

export class SettlementError extends HttpException {
  override readonly name = 'SettlementError';
  constructor(readonly code: SettlementErrorCode, detail?: string) {
    const [status, message] = SETTLEMENT_ERROR_MESSAGES[code];
    super({ message: detail ? `${message} ${detail}` : message, code }, status);
  }
}
