// The command journal: every command applied to the engine, numbered with the engine's
// command sequence. A snapshot records the sequence it was taken at; restoring it and
// replaying the entries after that sequence rebuilds the same book and the same events.

import { assert } from './assert.js';
import type { CommandResult, EngineCommand } from './engine-types.js';
import type { MatchingEngine } from './matching-engine.js';

export interface JournalEntry {
  readonly seq: number;
  readonly command: EngineCommand;
}

function copyCommand(command: EngineCommand): EngineCommand {
  return command.kind === 'submit' ? { kind: 'submit', order: { ...command.order } } : { ...command };
}

export class CommandJournal {
  private readonly entries: JournalEntry[] = [];

  /** Applies a command and records it (a copy: callers may reuse their order objects). */
  applyAndRecord(engine: MatchingEngine, command: EngineCommand): CommandResult {
    const seq = engine.sequence.commandSeq + 1;
    const last = this.entries.at(-1);
    assert(last === undefined || last.seq < seq, 'journal sequence increases');
    this.entries.push({ seq, command: copyCommand(command) });
    const result = engine.apply(command);
    assert(engine.sequence.commandSeq === seq, 'one command, one sequence number');
    return result;
  }

  /** Entries applied after the given command sequence (a snapshot's `commandSeq`). */
  entriesAfter(commandSeq: number): JournalEntry[] {
    return this.entries.filter((entry) => entry.seq > commandSeq);
  }

  get length(): number {
    return this.entries.length;
  }
}

/** Replays journal entries on an engine restored from a snapshot, checking continuity. */
export function replayJournal(engine: MatchingEngine, entries: readonly JournalEntry[]): void {
  for (const entry of entries) {
    assert(entry.seq === engine.sequence.commandSeq + 1, 'journal replay has no gap');
    engine.apply(entry.command);
  }
}
