// The production-like topology in docker-compose.yml, checked without a docker engine: its shape
// (a Postgres per stack, a three-node NATS cluster, a chain node, both stacks), that the wall holds
// in the topology too (the execution stack is given no way to the customer database), that every
// file it mounts or builds from exists and every secret it interpolates is documented in
// .env.example, and, where a compose CLI is installed, that `docker compose config` accepts it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { generateSecrets, stackEnv } from '../../infra/scripts/services.mjs';
import { parseCustomerConfig } from '../../customer-stack/api/src/config/customer-config.js';
import { parseChainConfig } from '../../execution-stack/api/src/chain/chain-config.js';
import { parseExecutionConfig } from '../../execution-stack/api/src/config/execution-config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown>;
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

function composeCli(): string[] | undefined {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(candidate[0]!, [...candidate.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('describes a Postgres per stack, a three-node NATS cluster with JetStream, a chain node and both stacks', () => {
    expect(Object.keys(services).sort()).toEqual(
      expect.arrayContaining(['chain', 'customer-db', 'customer-stack', 'execution-db', 'execution-stack', 'nats-1', 'nats-2', 'nats-3']),
    );
    for (const node of ['nats-1', 'nats-2', 'nats-3']) {
      const command = services[node]?.command ?? [];
      expect(command).toEqual(expect.arrayContaining(['-js', '--cluster_name', 'bulwark']));
      const routes = command[command.indexOf('--routes') + 1] ?? '';
      expect(routes.split(',').sort()).toEqual(['nats-1', 'nats-2', 'nats-3'].filter((n) => n !== node).map((n) => `nats://${n}:6222`));
    }
  });

  it('keeps the wall in the topology: each stack reaches only its own database', () => {
    const environmentOf = (name: string) => JSON.stringify(services[name]?.environment ?? {});
    expect(environmentOf('customer-stack')).toContain('@customer-db:5432/customer');
    expect(environmentOf('customer-stack')).not.toContain('execution-db');
    expect(environmentOf('execution-stack')).toContain('@execution-db:5432/execution');
    expect(environmentOf('execution-stack')).not.toContain('customer-db');
    expect(services['customer-stack']?.environment?.NATS_USER).toBe('customer');
    expect(services['execution-stack']?.environment?.NATS_USER).toBe('execution');
  });

  it('builds the stacks from Dockerfiles that exist, on an even-numbered (LTS) Node', () => {
    for (const name of ['customer-stack', 'execution-stack']) {
      const build = services[name]?.build;
      expect(build).toBeDefined();
      const dockerfile = readFileSync(path.join(root, build!.context, build!.dockerfile), 'utf8');
      const majors = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
      expect(majors.length).toBeGreaterThan(0);
      for (const major of majors) expect(major % 2).toBe(0);
    }
  });

  it('mounts only files of this repository that exist', () => {
    const binds = Object.values(services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./'));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) expect(existsSync(path.join(root, bind.split(':')[0]!))).toBe(true);
  });

  it('documents every secret it interpolates in .env.example, and hard-codes none', () => {
    const needed = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
    const documented = new Set([...readFileSync(path.join(root, '.env.example'), 'utf8').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    expect([...needed].filter((name) => !documented.has(name))).toEqual([]);
    const secretValues = Object.values(services).flatMap((s) => Object.entries(s.environment ?? {})).filter(([key]) => /PASSWORD|SECRET/.test(key));
    expect(secretValues.length).toBeGreaterThan(0);
    for (const [key, value] of secretValues) expect([key, String(value).startsWith('${')]).toEqual([key, true]);
  });

  // Each stack container gets every setting its configuration requires in production: the
  // compose environment, with every ${...} filled by a valid value of the same setting (as npm
  // start generates them), must parse. A stack that gains a required setting fails here until
  // docker-compose.yml passes it.
  it.each(['customer', 'execution'] as const)('passes the %s stack every setting its production configuration requires', (stack) => {
    const local: Record<string, string> = {
      ...stackEnv(stack, {
        database: { url: 'postgres://a:b@db/x', ownerUrl: 'postgres://c:d@db/x' }, natsUrl: 'nats://n:4222', secrets: generateSecrets(), natsAuthenticated: true, port: 3000,
      }),
      CHAIN_SIGNER_KEY: `0x${'ab'.repeat(32)}`,
      CHAIN_WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
      SMTP_URL: 'smtps://relay.example.net:465',
    };
    const environment = services[`${stack}-stack`]?.environment ?? {};
    const env: Record<string, string> = { NODE_ENV: 'production' };
    for (const [name, raw] of Object.entries(environment)) {
      const value = String(raw);
      if (/^\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}$/.test(value)) {
        expect([name, local[name] !== undefined]).toEqual([name, true]);
        env[name] = local[name]!;
      } else {
        env[name] = value.replace(/\$\{[^}]+\}/g, 'x');
      }
    }
    if (stack === 'customer') {
      expect(() => parseCustomerConfig(env)).not.toThrow();
    } else {
      expect(() => parseStackConfig('execution', env)).not.toThrow();
      expect(parseChainConfig(env)).toBeDefined();
      expect(() => parseExecutionConfig(env)).not.toThrow();
    }
  });

  const cli = composeCli();
  (cli ? it : it.skip)(`is accepted by \`${cli?.join(' ') ?? 'docker compose'} config\``, () => {
    const output = execFileSync(cli![0]!, [...cli!.slice(1), '--env-file', path.join(root, '.env.example'), '-f', 'docker-compose.yml', 'config', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(output).toBe('');
  });
});
