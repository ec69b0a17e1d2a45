import { Module } from '@nestjs/common';
import { FxController } from './fx.controller.js';
import { FxService } from './fx.service.js';
import { RATE_PROVIDERS } from './rate-provider.js';
import { defaultSandboxProviders } from './sandbox-rate-provider.js';

/** FX quotes; the sandbox rate providers until a real vendor is configured. */
@Module({
  controllers: [FxController],
  providers: [FxService, { provide: RATE_PROVIDERS, useFactory: () => defaultSandboxProviders() }],
  exports: [FxService],
})
export class FxModule {}
