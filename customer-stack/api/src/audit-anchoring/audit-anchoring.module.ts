import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditAnchoringController } from './audit-anchoring.controller.js';
import { ANCHORING_POLICY, AuditAnchoringService, type AnchoringPolicy } from './audit-anchoring.service.js';

/** Cuts batches on a timer: every tick checks whether the entry or the time threshold is reached. */
@Injectable()
export class AuditAnchoringScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditAnchoringScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(AuditAnchoringService) private readonly anchoring: AuditAnchoringService,
    @Inject(ANCHORING_POLICY) private readonly policy: AnchoringPolicy,
  ) {}

  onApplicationBootstrap(): void {
    // Checking ten times per interval keeps the entry threshold responsive without a query per entry.
    this.timer = setInterval(() => {
      this.running ??= this.anchoring
        .cutBatch()
        .catch((error: unknown) => this.logger.error({ event: 'audit.anchor.cut-failed', error: String(error) }, 'cutting an audit batch failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, Math.max(100, Math.floor(this.policy.intervalMs / 10)));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

@Module({})
export class AuditAnchoringModule {
  static forRoot(policy: AnchoringPolicy): DynamicModule {
    return {
      module: AuditAnchoringModule,
      controllers: [AuditAnchoringController],
      providers: [{ provide: ANCHORING_POLICY, useValue: policy }, AuditAnchoringService, AuditAnchoringScheduler],
      exports: [AuditAnchoringService],
    };
  }
}
