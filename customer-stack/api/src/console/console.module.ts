import { Module } from '@nestjs/common';
import { AmlModule } from '../aml/aml.module.js';
import { KycModule } from '../kyc/kyc.module.js';
import { ConsoleController } from './console.controller.js';

/** The compliance console's API, composed from the KYC and AML services. */
@Module({ imports: [AmlModule, KycModule], controllers: [ConsoleController] })
export class ConsoleModule {}
