#!/usr/bin/env node
// Compiles every contract under contracts/ with solc-js (standard JSON; nothing downloads a
// compiler) and writes one deterministic artefact per deployable contract to artifacts/, plus
// artifacts/index.json. With --check (the package's lint) it compiles in memory and fails when the
// committed artefacts drift from the sources.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const contractsDir = path.join(packageRoot, 'contracts');
const artifactsDir = path.join(packageRoot, 'artifacts');
const openZeppelinRoot = path.dirname(require.resolve('@openzeppelin/contracts/package.json'));
const OPEN_ZEPPELIN_PREFIX = '@openzeppelin/contracts/';

// Settings are part of the source hash: changing them must change the artefacts' hash.
const SETTINGS = Object.freeze({
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
});

function listSolidityFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listSolidityFiles(full));
    else if (entry.name.endsWith('.sol')) files.push(full);
  }
  return files;
}

function toUnitName(file) {
  return path.relative(packageRoot, file).split(path.sep).join('/');
}

/** Compiles in memory; returns { artefacts: Map<fileName, text>, sourceHash }. */
export function compile() {
  const sources = {};
  for (const file of listSolidityFiles(contractsDir)) {
    sources[toUnitName(file)] = { content: readFileSync(file, 'utf8') };
  }
  const imported = {};
  const findImports = (unitName) => {
    if (!unitName.startsWith(OPEN_ZEPPELIN_PREFIX)) return { error: `unresolvable import ${unitName}` };
    const file = path.join(openZeppelinRoot, unitName.slice(OPEN_ZEPPELIN_PREFIX.length));
    if (!file.startsWith(openZeppelinRoot + path.sep) || !existsSync(file)) return { error: `not found: ${unitName}` };
    const content = readFileSync(file, 'utf8');
    imported[unitName] = content;
    return { contents: content };
  };
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

  const problems = (output.errors ?? []).filter((e) => e.severity === 'error' || e.severity === 'warning');
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${problem.formattedMessage}\n`);
    throw new Error(`solc reported ${problems.length} error(s)/warning(s)`);
  }

  const hash = createHash('sha256');
  const allSources = { ...imported, ...Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, v.content])) };
  for (const unitName of Object.keys(allSources).sort()) {
    hash.update(`${unitName}\0${allSources[unitName]}\0`);
  }
  hash.update(`${solc.version()}\0${JSON.stringify(SETTINGS)}`);
  const sourceHash = `0x${hash.digest('hex')}`;

  const artefacts = new Map();
  const index = {};
  for (const unitName of Object.keys(output.contracts ?? {}).filter((n) => n.startsWith('contracts/')).sort()) {
    for (const contractName of Object.keys(output.contracts[unitName]).sort()) {
      const compiled = output.contracts[unitName][contractName];
      if (compiled.evm.bytecode.object.length === 0) continue; // interfaces and abstract contracts
      if (index[contractName]) throw new Error(`duplicate contract name ${contractName}`);
      const artefact = {
        contractName,
        sourceName: unitName,
        abi: compiled.abi,
        bytecode: `0x${compiled.evm.bytecode.object}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
        sourceHash,
      };
      artefacts.set(`${contractName}.json`, `${JSON.stringify(artefact, null, 2)}\n`);
      index[contractName] = { artifact: `${contractName}.json`, sourceName: unitName };
    }
  }
  const indexFile = { compiler: `solc-js ${solc.version()}`, settings: SETTINGS, sourceHash, contracts: index };
  artefacts.set('index.json', `${JSON.stringify(indexFile, null, 2)}\n`);
  return { artefacts, sourceHash };
}

function committedArtefacts() {
  if (!existsSync(artifactsDir)) return new Map();
  return new Map(
    readdirSync(artifactsDir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, readFileSync(path.join(artifactsDir, name), 'utf8')]),
  );
}

function main() {
  const check = process.argv.includes('--check');
  const { artefacts, sourceHash } = compile();
  const committed = committedArtefacts();
  if (check) {
    const drifted = [...new Set([...artefacts.keys(), ...committed.keys()])]
      .sort()
      .filter((name) => artefacts.get(name) !== committed.get(name));
    if (drifted.length > 0) {
      process.stderr.write(
        `solidity artefacts drifted from the sources (${drifted.join(', ')}).\n` +
          'Run `npm run build -w @bulwark/solidity` and commit solidity/artifacts/.\n',
      );
      process.exit(1);
    }
    process.stdout.write(`solidity artefacts up to date (${artefacts.size - 1} contracts, ${sourceHash})\n`);
    return;
  }
  mkdirSync(artifactsDir, { recursive: true });
  for (const name of committed.keys()) {
    if (!artefacts.has(name)) rmSync(path.join(artifactsDir, name));
  }
  for (const [name, text] of artefacts) writeFileSync(path.join(artifactsDir, name), text);
  process.stdout.write(`wrote ${artefacts.size - 1} contract artefacts to artifacts/ (${sourceHash})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
