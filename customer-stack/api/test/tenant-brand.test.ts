// The tenant's public brand over HTTP: readable without signing in, only the name and colours,
// following the tenant's settings when an admin changes them; unknown and malformed ids refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { REFERENCE_TENANT, REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { TEST_ADMIN } from './support/tenancy.js';
import { startCustomerStack, type CustomerStack } from './support/customer-stack.js';

let stack: CustomerStack;
let app: INestApplication;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  stack = await startCustomerStack();
  app = stack.app;
});

afterAll(async () => {
  await stack?.stop();
});

describe('GET /tenants/:id/brand', () => {
  it('answers anyone with the reference tenant\'s name and colours, and nothing else', async () => {
    const response = await http().get(`/tenants/${REFERENCE_TENANT_ID}/brand`).expect(200);
    expect(response.body).toEqual({ name: 'Bulwark Lanka', primaryColour: '#8d153a', accentColour: '#eb7400' });
    expect(response.headers['cache-control']).toBe('public, max-age=300');
  });

  it('follows the tenant\'s settings', async () => {
    const { id: _id, ...settings } = REFERENCE_TENANT;
    const tenant = await app.get(TenantsService).create(TEST_ADMIN, {
      ...settings, slug: `brand-${randomUUID().slice(0, 8)}`, brand: { name: 'Harbour Invest', primaryColour: '#0b6e4f', accentColour: '#f2c14e' },
    });
    const response = await http().get(`/tenants/${tenant.id}/brand`).expect(200);
    expect(response.body).toEqual({ name: 'Harbour Invest', primaryColour: '#0b6e4f', accentColour: '#f2c14e' });
  });

  it.each([
    ['an unknown tenant', randomUUID(), 404, 'tenant_not_found'],
    ['a malformed id', 'not-a-uuid', 400, 'invalid_tenant_id'],
    ['an upper-case id', REFERENCE_TENANT_ID.toUpperCase(), 400, 'invalid_tenant_id'],
  ])('refuses %s with a coded problem', async (_why, id, status, code) => {
    const response = await http().get(`/tenants/${id}/brand`).expect(status);
    expect(response.body.code).toBe(code);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});
