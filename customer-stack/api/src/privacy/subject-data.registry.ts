// What the customer stack holds on a person is spread over many modules; each registers how to
// export its part (and, where it keeps data outside the vault, how to erase it). The privacy
// service runs them all in one tenant-scoped transaction.
import { Injectable } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { PrivacyError } from './privacy.errors.js';

export type SubjectExporter = (tx: SqlTx, subjectId: string) => Promise<unknown>;
export type SubjectEraser = (tx: SqlTx, subjectId: string) => Promise<void>;

export const SUBJECT_EXPORTERS_MAX = 64;
const NAME = /^[a-z][a-z0-9_.-]{1,63}$/;

@Injectable()
export class SubjectDataRegistry {
  private readonly exporters = new Map<string, SubjectExporter>();
  private readonly erasers = new Map<string, SubjectEraser>();

  /** Registers a module's part of the subject-access export (call it in onModuleInit). */
  register(name: string, exporter: SubjectExporter): void {
    if (!NAME.test(name) || this.exporters.size >= SUBJECT_EXPORTERS_MAX) throw new PrivacyError('invalid_request', `exporter name ${name}`);
    if (this.exporters.has(name)) throw new PrivacyError('exporter_taken', name);
    this.exporters.set(name, exporter);
  }

  /**
   * Registers what a module does on erasure besides the vault destroying the person's key (e.g.
   * dropping lookup hashes or cached copies). Runs in the erasure's transaction.
   */
  registerEraser(name: string, eraser: SubjectEraser): void {
    if (!NAME.test(name) || this.erasers.size >= SUBJECT_EXPORTERS_MAX) throw new PrivacyError('invalid_request', `eraser name ${name}`);
    if (this.erasers.has(name)) throw new PrivacyError('exporter_taken', name);
    this.erasers.set(name, eraser);
  }

  /** Every registered section, in name order. */
  async exportAll(tx: SqlTx, subjectId: string): Promise<Record<string, unknown>> {
    const sections: Record<string, unknown> = {};
    for (const name of [...this.exporters.keys()].sort()) sections[name] = await (this.exporters.get(name) as SubjectExporter)(tx, subjectId);
    return sections;
  }

  async eraseAll(tx: SqlTx, subjectId: string): Promise<string[]> {
    const names = [...this.erasers.keys()].sort();
    for (const name of names) await (this.erasers.get(name) as SubjectEraser)(tx, subjectId);
    return names;
  }
}
