// Present when the stack runs with a chain: cuts execution audit batches on a timer (every
// interval, or once enough entries wait) and serves the operator's anchoring routes.
import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ExecutionAuditModule } from '../audit/execution-audit.service.js';
import { MembersModule } from '../members/members.module.js';
import { ExecutionAuditAnchoringController } from './execution-audit-anchoring.controller.js';
import {
  EXECUTION_ANCHORING_POLICY, ExecutionAuditAnchoringService, type ExecutionAnchoringPolicy,
} from './execution-audit-anchoring.service.js';

/** The timer checks ten times per interval, so the entry threshold is noticed without a query per entry. */
const CHECKS_PER_INTERVAL = 10;
const CHECK_INTERVAL_MS_MIN = 100;

@Injectable()
export class ExecutionAuditAnchoringScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExecutionAuditAnchoringScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(ExecutionAuditAnchoringService) private readonly anchoring: ExecutionAuditAnchoringService,
    @Inject(EXECUTION_ANCHORING_POLICY) private readonly policy: ExecutionAnchoringPolicy,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.anchoring
        .cutBatch()
        .catch((error: unknown) => this.logger.error({ event: 'execution-audit.anchor.cut-failed', error: String(error) }, 'cutting an execution audit batch failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, Math.max(CHECK_INTERVAL_MS_MIN, Math.floor(this.policy.intervalMs / CHECKS_PER_INTERVAL)));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

@Module({})
export class ExecutionAuditAnchoringModule {
  static forRoot(policy: ExecutionAnchoringPolicy): DynamicModule {
    return {
      module: ExecutionAuditAnchoringModule,
      imports: [ExecutionAuditModule, MembersModule],
      controllers: [ExecutionAuditAnchoringController],
      providers: [{ provide: EXECUTION_ANCHORING_POLICY, useValue: policy }, ExecutionAuditAnchoringService, ExecutionAuditAnchoringScheduler],
      exports: [ExecutionAuditAnchoringService],
    };
  }
}
