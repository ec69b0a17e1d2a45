// Notifications: the outbox other modules enqueue into, its dispatcher, and tenants' webhooks.
import { Global, Module } from '@nestjs/common';
import { NotificationDispatcher } from './notification.dispatcher.js';
import { NotificationSubjectData } from './notification-subject-data.js';
import { NotificationService } from './notification.service.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsRepository } from './notifications.repository.js';

@Global()
@Module({
  controllers: [NotificationsController],
  providers: [NotificationsRepository, NotificationService, NotificationDispatcher, NotificationSubjectData],
  exports: [NotificationService, NotificationDispatcher],
})
export class NotificationsModule {}
