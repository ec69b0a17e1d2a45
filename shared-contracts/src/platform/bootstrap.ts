// What every Bulwark HTTP application gets: pino as the Nest logger, problem+json errors,
// the OpenAPI document at /docs (JSON at /docs-json), and graceful shutdown.
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { ProblemFilter } from './problem.filter.js';
import { StackModule, type StackModuleOptions } from './stack.module.js';

export interface AppMeta {
  readonly title: string;
  readonly description: string;
  readonly version: string;
}

/**
 * Builds a stack's HTTP application (main.ts and the integration tests both start it so).
 * `middleware` runs before any route is mounted (the docs included), so security headers,
 * CORS and cookie parsing a stack installs there cover every response.
 */
export async function createStackApp(options: StackModuleOptions, meta: AppMeta, middleware?: (app: INestApplication) => void): Promise<INestApplication> {
  // rawBody: signed requests (the execution stack's member API) are verified over the exact bytes received.
  const app = await NestFactory.create(StackModule.forRoot(options), { bufferLogs: true, rawBody: true, forceCloseConnections: true });
  configureApp(app, meta, middleware);
  return app;
}

export function configureApp(app: INestApplication, meta: AppMeta, middleware?: (app: INestApplication) => void): void {
  app.useLogger(app.get(PinoNestLogger));
  middleware?.(app);
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(meta.title).setDescription(meta.description).setVersion(meta.version).build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
