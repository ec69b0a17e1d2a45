// Builds the customer stack's HTTP application from a parsed configuration (main.ts and the
// integration tests both start it this way).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { configureApp } from '@bulwark/shared-contracts/platform';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';

export async function createCustomerApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true });
  configureApp(app, {
    title: 'Bulwark customer stack',
    description: 'Investors, compliance and money: auth, KYC, AML, FX, the ledger, payments, order intents and the audit chain.',
    version: '0.1.0',
  });
  return app;
}
