// Prometheus metrics, one registry per application instance (tests run several in a process).
import { Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from './access.js';
import type { RejectReason } from '../envelope/envelope.js';
import type { WallObserver } from '../wall/runtime.js';

@Injectable()
export class MetricsService implements WallObserver {
  readonly registry = new Registry();
  private readonly publishedTotal = new Counter({ name: 'wall_published_total', help: 'Envelopes published to the wall', registers: [this.registry] });
  private readonly handledTotal = new Counter({ name: 'wall_handled_total', help: 'Inbound envelopes handled', labelNames: ['type'], registers: [this.registry] });
  private readonly rejectedTotal = new Counter({ name: 'wall_rejected_total', help: 'Inbound envelopes rejected', labelNames: ['reason'], registers: [this.registry] });
  private readonly deadLetteredTotal = new Counter({ name: 'wall_dead_lettered_total', help: 'Inbound envelopes sent to the dead-letter stream', registers: [this.registry] });
  private readonly latencySeconds = new Histogram({
    name: 'wall_inbound_latency_seconds',
    help: 'From signing at the sender to the committed handler at the receiver',
    labelNames: ['type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  published(count: number): void {
    this.publishedTotal.inc(count);
  }

  handled(type: string, latencyMs: number): void {
    this.handledTotal.inc({ type });
    this.latencySeconds.observe({ type }, latencyMs / 1000);
  }

  rejected(reason: RejectReason): void {
    this.rejectedTotal.inc({ reason });
  }

  deadLettered(): void {
    this.deadLetteredTotal.inc();
  }
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
