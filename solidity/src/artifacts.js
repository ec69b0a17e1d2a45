// The committed compiler output (artifacts/*.json), loaded once and frozen.
import { readFileSync } from 'node:fs';

const artifactsDir = new URL('../artifacts/', import.meta.url);

function readJson(name) {
  return JSON.parse(readFileSync(new URL(name, artifactsDir), 'utf8'));
}

function deepFreeze(value) {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const index = readJson('index.json');

/** @type {Readonly<Record<string, import('./index.js').Artifact>>} */
export const artifacts = deepFreeze(
  Object.fromEntries(Object.entries(index.contracts).map(([name, entry]) => [name, readJson(entry.artifact)])),
);

/** The hash of the sources, compiler and settings the artefacts were built from. */
export const sourceHash = index.sourceHash;

/** @param {string} contractName */
export function artifact(contractName) {
  const found = artifacts[contractName];
  if (!found) throw new Error(`unknown contract ${contractName}`);
  return found;
}
