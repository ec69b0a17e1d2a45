// The execution stack on real Postgres and a real JetStream behind the project's NATS
// permissions: it boots, reports its health, has no pending migrations, keeps personal data
// out of its schema, and answers a well-formed intent.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { detectPii } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  app = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', database, nats)));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('execution stack platform', () => {
  it('reports database and NATS up on /health', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info.database.status).toBe('up');
    expect(response.body.info.nats).toMatchObject({ status: 'up', connected: true, relayHealthy: true });
  });

  it('serves Prometheus metrics including the wall counters', async () => {
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.text).toContain('wall_handled_total');
    expect(response.text).toContain('process_cpu_user_seconds_total');
  });

  it('serves its OpenAPI document at /docs-json', async () => {
    const response = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(response.body.info.title).toBe('Bulwark execution stack');
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/health', '/v1/instruments']));
  });

  it('answers errors as problem+json with a correlation id', async () => {
    const response = await request(app.getHttpServer()).get('/no-such-route').set('x-correlation-id', 'test-correlation-1').expect(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['x-correlation-id']).toBe('test-correlation-1');
    expect(JSON.parse(response.text)).toMatchObject({ status: 404, correlationId: 'test-correlation-1' });
  });

  it('has no pending migrations: entities and the migrated schema agree', async () => {
    const dataSource = app.get(DataSource);
    expect(await dataSource.showMigrations()).toBe(false);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('runs as its own role, which cannot connect to another stack database', async () => {
    const dataSource = app.get(DataSource);
    const [who] = await dataSource.query('SELECT current_user AS role, current_database() AS db');
    expect(who).toEqual({ role: 'bulwark_execution_test', db: database.name });
    // The database's ACL grants CONNECT to its own two roles only: never to PUBLIC (grantee 0) or any other role.
    const grantees: { grantee: string }[] = await dataSource.query(
      `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee
         FROM pg_database d, aclexplode(d.datacl) a
        WHERE d.datname = current_database() AND a.privilege_type = 'CONNECT' ORDER BY 1`,
    );
    expect(grantees.map((g) => g.grantee)).toEqual(['bulwark_execution_test', 'bulwark_execution_test_owner']);
  });

  it('serves as an application role that owns nothing and cannot bypass row-level security', async () => {
    const dataSource = app.get(DataSource);
    const [role] = await dataSource.query(
      `SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
              (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relowner = r.oid AND n.nspname = 'public') AS owned
         FROM pg_roles r WHERE rolname = current_user`,
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, owned: 0 });
    // Every table belongs to the owner role, which ran the migrations.
    const owners = await dataSource.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
    expect(owners).toEqual([{ tableowner: database.ownerRole }]);
    // DDL is the owner's alone.
    await expect(dataSource.query('CREATE TABLE intruder (id int)')).rejects.toThrow(/permission denied/);
    await expect(dataSource.query('ALTER TABLE omnibus_intent DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
  });
});

describe('execution database schema holds no personal data', () => {
  // Column names that could hold a person's name, contact, address, birth date or identity.
  const FORBIDDEN = /(^|_)(first|last|full|given|family|middle|maiden|customer|holder|person|legal)?_?name$|email|e_?mail|phone|mobile|msisdn|telephone|(^|(?<!wallet|contract|token|signer|anchor)_)address($|_)|street|postcode|postal|zip|city|dob|birth|national_id|nic$|ssn|nino|passport|tax_id|iban|card_number|pan$/;
  // Values the guard flags only under a personal-data key, so a hit means the column name is the problem.
  const SAMPLES = ['Jane Perera', '1990-04-12', '42 Galle Road, Colombo 03', 'N1234567', '0771234567'];

  it('has no column whose name or purpose could carry personal data', async () => {
    const dataSource = app.get(DataSource);
    const columns: { table_name: string; column_name: string }[] = await dataSource.query(
      // TypeORM's own bookkeeping table (migration class names) is the one table we do not own.
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY table_name, column_name`,
    );
    expect(columns.length).toBeGreaterThan(20);
    const offending = columns.filter(({ column_name: column }) => {
      if (FORBIDDEN.test(column)) return true;
      const key = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      return SAMPLES.some((sample) => detectPii({ [key]: sample }).length > 0);
    });
    expect(offending).toEqual([]);
  });

  it('the check itself catches a personal-data column (it can fail)', () => {
    for (const column of ['first_name', 'email', 'phone_number', 'postal_address', 'date_of_birth', 'passport_no', 'national_id']) {
      expect([column, FORBIDDEN.test(column)]).toEqual([column, true]);
    }
    for (const column of ['instrument_id', 'account_ref', 'symbol', 'wallet_address', 'contract_address', 'tick_size']) {
      expect([column, FORBIDDEN.test(column)]).toEqual([column, false]);
    }
  });
});
