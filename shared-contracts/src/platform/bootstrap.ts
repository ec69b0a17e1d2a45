// What every Bulwark HTTP application gets: pino as the Nest logger, problem+json errors,
// the OpenAPI document at /docs (JSON at /docs-json), and graceful shutdown.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { ProblemFilter } from './problem.filter.js';

export function configureApp(app: INestApplication, meta: { title: string; description: string; version: string }): void {
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(meta.title).setDescription(meta.description).setVersion(meta.version).build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
