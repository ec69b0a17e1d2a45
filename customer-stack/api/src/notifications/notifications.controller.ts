// /notifications: a tenant admin's webhook endpoints and the deliveries that gave up.
import { Body, Controller, Delete, Get, HttpCode, HttpException, HttpStatus, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, Permissions } from '../auth/permissions.decorator.js';
import type { Principal } from '../auth/principal.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { NoIdempotencyKey } from '../idempotency/no-idempotency-key.decorator.js';
import { NOTIFICATION_EVENTS } from './notification-events.js';
import { NotificationError, NotificationService, type DeliveryView, type WebhookEndpointView } from './notification.service.js';

const URL_LENGTH_MAX = 2_000;
const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'dead', 'skipped'] as const;

const NOTIFICATION_ERROR_STATUS: Readonly<Record<NotificationError['code'], HttpStatus>> = {
  endpoint_limit: HttpStatus.CONFLICT,
  endpoint_not_found: HttpStatus.NOT_FOUND,
  delivery_not_dead: HttpStatus.CONFLICT,
  endpoint_target_refused: HttpStatus.UNPROCESSABLE_ENTITY,
};

const NOTIFICATION_ERROR_MESSAGES: Readonly<Record<NotificationError['code'], string>> = {
  endpoint_limit: 'The tenant has as many webhook endpoints as allowed.',
  endpoint_not_found: 'There is no such active webhook endpoint.',
  delivery_not_dead: 'Only a dead delivery can be retried.',
  endpoint_target_refused: 'Webhooks may only point at the public internet.',
};

function problem(error: unknown): never {
  if (error instanceof NotificationError) {
    const message = error.detail ? `${NOTIFICATION_ERROR_MESSAGES[error.code]} ${error.detail}` : NOTIFICATION_ERROR_MESSAGES[error.code];
    throw new HttpException({ code: error.code, message }, NOTIFICATION_ERROR_STATUS[error.code]);
  }
  throw error;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpException({ code: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') }, 400);
  }
  return parsed.data;
}

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  private readonly webhookBody: z.ZodType<{ url: string; events: (typeof NOTIFICATION_EVENTS)[number][] }>;

  constructor(
    @Inject(NotificationService) private readonly notifications: NotificationService,
    @Inject(CUSTOMER_CONFIG) config: CustomerConfig,
  ) {
    // Production endpoints must be HTTPS; development and tests may use a local http receiver.
    const protocol = config.env === 'production' ? /^https$/ : /^https?$/;
    this.webhookBody = z.strictObject({
      url: z.url({ protocol }).max(URL_LENGTH_MAX),
      events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).max(NOTIFICATION_EVENTS.length),
    });
  }

  @Permissions('webhooks:manage')
  @NoIdempotencyKey('the response carries the endpoint signing secret, which must not be stored for replay')
  @Post('webhooks')
  async addWebhook(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<{ id: string; secret: string }> {
    const { url, events } = parse(this.webhookBody, body ?? {});
    return this.notifications.addWebhook(principal, url, [...new Set(events)]).catch(problem);
  }

  @Permissions('webhooks:manage')
  @Get('webhooks')
  async listWebhooks(@CurrentPrincipal() principal: Principal): Promise<WebhookEndpointView[]> {
    return this.notifications.listWebhooks(principal);
  }

  @Permissions('webhooks:manage')
  @Delete('webhooks/:id')
  @HttpCode(204)
  async removeWebhook(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.notifications.removeWebhook(principal, id).catch(problem);
  }

  @Permissions('webhooks:manage')
  @Get('deliveries')
  async deliveries(@CurrentPrincipal() principal: Principal, @Query('status') status: unknown): Promise<DeliveryView[]> {
    return this.notifications.deliveries(principal, parse(z.enum(DELIVERY_STATUSES).default('dead'), status));
  }

  @Permissions('webhooks:manage')
  @Post('deliveries/:id/retry')
  @HttpCode(204)
  async retry(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.notifications.retryDead(principal, id).catch(problem);
  }
}
