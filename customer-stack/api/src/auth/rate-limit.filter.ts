// A refusal for too many attempts leaves as 429 problem+json with Retry-After (seconds).
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemFilter } from '@bulwark/shared-contracts/platform';
import { RateLimitedError } from './auth.errors.js';

@Catch(RateLimitedError)
export class RateLimitFilter implements ExceptionFilter {
  private readonly problems = new ProblemFilter();

  catch(exception: RateLimitedError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(exception.retryAfterS));
    this.problems.catch(exception, host);
  }
}
