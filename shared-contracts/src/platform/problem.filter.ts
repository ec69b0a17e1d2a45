// Every error leaves as RFC 9457 problem+json. Known HTTP errors keep their status and message;
// anything else is a 500 with the correlation id and never a stack trace.
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  correlationId?: string;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string }>();
    const correlationId = typeof request.id === 'string' ? request.id : undefined;
    let problem: Problem;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const code = typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
      problem = {
        type: 'about:blank',
        title: HttpStatus[status]?.replaceAll('_', ' ').toLowerCase() ?? 'error',
        status,
        ...(detail !== undefined ? { detail: Array.isArray(detail) ? detail.join('; ') : String(detail) } : {}),
        ...(typeof code === 'string' ? { code } : {}),
      };
    } else {
      this.logger.error({ err: exception, correlationId, msg: 'unhandled error' });
      problem = { type: 'about:blank', title: 'internal server error', status: 500, detail: 'An unexpected error occurred.' };
    }
    if (correlationId) problem.correlationId = correlationId;
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
