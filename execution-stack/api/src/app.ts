// The execution stack: no personal data at all. Its domain modules are listed here; the
// platform (logs, health, metrics, database, the wall) comes from StackModule.
import { fileURLToPath } from 'node:url';
import { Global, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { createStackApp, serveStaticUi, type StackConfig } from '@bulwark/shared-contracts/platform';
import type { ChainConfig } from './chain/chain-config.js';
import { ChainModule } from './chain/chain.module.js';
import { ExecutionAuditAnchoringModule } from './audit-anchoring/execution-audit-anchoring.module.js';
import { EXECUTION_ENTITIES, EXECUTION_MIGRATIONS } from './database/schema.js';
import { ExecutionConfigModule, parseExecutionConfig, type ExecutionConfig } from './config/execution-config.js';
import { IntakeModule } from './intake/intake.service.js';
import { SettlementModule } from './settlement/settlement.module.js';
import { MarketModule } from './market/market.module.js';
import { allowPublicMarketData } from './market/public-market-data.js';
import { MembersModule } from './members/members.module.js';
import { ReconciliationModule } from './reconciliation/reconciliation.module.js';
import { ResolutionModule } from './resolution/resolution.module.js';
import { MarketMakerModule } from './market-maker/market-maker.module.js';
import { POST_TRADE_CONFIG, parsePostTradeConfig, type PostTradeConfig } from './aggregation/post-trade-config.js';

/** The post-trade settings, visible to every post-trade module. */
@Global()
@Module({})
class PostTradeConfigModule {
  static forRoot(config: PostTradeConfig): DynamicModule {
    return { module: PostTradeConfigModule, providers: [{ provide: POST_TRADE_CONFIG, useValue: config }], exports: [POST_TRADE_CONFIG] };
  }
}

/** The operator admin, built by execution-stack/admin-web. No personal data is ever shown there. */
export const EXECUTION_UI_MOUNTS = ['/admin'] as const;
const EXECUTION_UI_DIST = fileURLToPath(new URL('../../admin-web/dist', import.meta.url));

/**
 * `chain` undefined: the stack runs without the chain module (no settlement on chain, no anchoring).
 * `execution` holds the stack's own settings (market, members), `postTrade` the post-trade ones; the defaults suit tests.
 */
export function createExecutionApp(
  config: StackConfig<'execution'>,
  chain?: ChainConfig,
  execution: ExecutionConfig = parseExecutionConfig({}),
  postTrade: PostTradeConfig = parsePostTradeConfig({}),
): Promise<INestApplication> {
  const domain = [
    ExecutionConfigModule.forRoot(execution), PostTradeConfigModule.forRoot(postTrade), MarketModule, MembersModule, MarketMakerModule,
    IntakeModule, SettlementModule, ResolutionModule, ReconciliationModule,
    ...(chain
      ? [ChainModule.forRoot(chain), ExecutionAuditAnchoringModule.forRoot({ intervalMs: chain.auditAnchorIntervalMs, entriesMax: chain.auditAnchorBatchEntries })]
      : []),
  ];
  return createStackApp(
    { config, entities: EXECUTION_ENTITIES, migrations: EXECUTION_MIGRATIONS, domain },
    {
      title: 'Bulwark execution stack',
      description: 'No personal data: the CLOB, market data, omnibus aggregation, allocation, settlement and the chain.',
      version: '0.1.0',
    },
    (app) => {
      allowPublicMarketData(app);
      serveStaticUi(app, { distDir: config.ui.distDir ?? EXECUTION_UI_DIST, mounts: EXECUTION_UI_MOUNTS });
    },
  );
}
