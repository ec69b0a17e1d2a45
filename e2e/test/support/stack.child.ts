// One stack in its own process, from its compiled build (dist/, as production runs it), so a
// fault test can kill it with SIGKILL at any instant. It serves HTTP like main.ts does and also
// answers a few operations over the IPC channel for what the stacks expose no HTTP route for
// yet (listing an instrument, registering accounts, placing intents through OrdersService).
// Every operation runs the stack's own services; nothing here writes a table directly.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { SQL_DATABASE, parseStackConfig } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';

export type StackOp =
  | { readonly op: 'listInstrument'; readonly args: { symbol: string; kind: 'event' | 'security'; tickSize: string; lotSize: string } }
  | { readonly op: 'registerAccounts'; readonly args: { tenantId: string; count: number } }
  | { readonly op: 'registerAccountRef'; readonly args: { tenantId: string; accountRef: string } }
  | { readonly op: 'createUser'; readonly args: { tenantId: string; role: string; email: string; password: string } }
  | { readonly op: 'importSanctionsLists'; readonly args: Record<string, never> }
  | { readonly op: 'seedVenue'; readonly args: { instrumentId: string; asks?: { price: string; quantity: string }[]; bids?: { price: string; quantity: string }[] } }
  | { readonly op: 'submitIntents'; readonly args: { inputs: readonly IntentInput[] } }
  | { readonly op: 'verifyAudit'; readonly args: Record<string, never> }
  | { readonly op: 'creditCash'; readonly args: { tenantId: string; accountRef: string; amount: string } }
  | { readonly op: 'createOperator'; readonly args: { handle: string; publicJwk: Record<string, unknown>; settlementApprover: boolean } }
  | { readonly op: 'createMarketMaker'; readonly args: { publicJwk: Record<string, unknown>; orderQuantityMax: string; orderNotionalMax: string } };

export interface IntentInput {
  readonly accountRef: string;
  readonly tenantRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK';
}

export type StackRequest = StackOp & { readonly id: number };
export type StackReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };
export type StackReady = { readonly ready: true; readonly port: number };

const stack = process.argv[2];
if (stack !== 'customer' && stack !== 'execution') throw new Error(`usage: stack.child.ts customer|execution (got ${String(stack)})`);

async function customerApp(): Promise<{ app: INestApplication; run: (request: StackOp) => Promise<unknown> }> {
  const { createCustomerApp } = await import('../../../customer-stack/api/dist/app.js');
  const { parseCustomerConfig } = await import('../../../customer-stack/api/dist/config/customer-config.js');
  const { OrdersService } = await import('../../../customer-stack/api/dist/orders/orders.service.js');
  const { TenantsService } = await import('../../../customer-stack/api/dist/tenancy/tenants.service.js');
  const { AuditService } = await import('../../../customer-stack/api/dist/audit/audit.service.js');
  const { AuthService } = await import('../../../customer-stack/api/dist/auth/auth.service.js');
  const { TenantScope } = await import('../../../customer-stack/api/dist/tenancy/tenant-scope.js');
  const { LedgerService } = await import('../../../customer-stack/api/dist/ledger/ledger.service.js');
  const { AmlService } = await import('../../../customer-stack/api/dist/aml/aml.service.js');
  const { SANCTIONS_FIXTURES } = await import('../../../customer-stack/api/test/support/sanctions-fixtures.js');
  const config = parseCustomerConfig(process.env);
  const app = await createCustomerApp(config);
  await app.listen(config.http.port, config.http.host);
  const run = async (request: StackOp): Promise<unknown> => {
    switch (request.op) {
      case 'registerAccounts': {
        const refs = Array.from({ length: request.args.count }, () => randomUUID());
        await app.get<SqlDatabase>(SQL_DATABASE).transaction(async (tx) => {
          for (const ref of refs) await app.get(TenantsService).registerAccount(tx, { actor: 'system:e2e', role: 'system' }, request.args.tenantId, ref);
        });
        return refs;
      }
      case 'registerAccountRef': {
        const { tenantId, accountRef } = request.args;
        await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => app.get(TenantsService).registerAccount(tx, { actor: 'system:e2e', role: 'system' }, tenantId, accountRef));
        return accountRef;
      }
      case 'createUser': {
        const { tenantId, role, email, password } = request.args;
        const roles = [role] as Parameters<InstanceType<typeof AuthService>['createAccount']>[2]['roles'];
        return app.get(TenantScope).run(tenantId, (tx) =>
          app.get(AuthService).createAccount(tx, tenantId, { email, password, roles, createdBy: null }, role === 'investor' ? randomUUID() : null));
      }
      case 'importSanctionsLists':
        return app.get(AmlService).importListFiles({
          openSanctions: `${SANCTIONS_FIXTURES}targets.simple.csv`, ofacSdn: `${SANCTIONS_FIXTURES}sdn.csv`, ofacAlt: `${SANCTIONS_FIXTURES}alt.csv`,
        });
      case 'submitIntents':
        return app.get(OrdersService).submitIntents(request.args.inputs);
      case 'creditCash': {
        // Money in for a fault test's investors (the journey deposits through payments instead),
        // booked by the ledger service as a settled deposit would be.
        const { tenantId, accountRef, amount } = request.args;
        return app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).post(tx, {
          tenantId, idempotencyKey: `e2e-credit:${randomUUID()}`, kind: 'deposit', reference: null,
          legs: [
            { account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount },
            { account: { kind: 'customer_cash', ownerRef: accountRef, unit: 'USD' }, side: 'credit', amount },
          ],
        }));
      }
      case 'verifyAudit':
        return app.get(AuditService).verify();
      default:
        throw new Error(`the customer stack has no operation ${request.op}`);
    }
  };
  return { app, run };
}

async function executionApp(): Promise<{ app: INestApplication; run: (request: StackOp) => Promise<unknown> }> {
  const { createExecutionApp } = await import('../../../execution-stack/api/dist/app.js');
  const { parseChainConfig } = await import('../../../execution-stack/api/dist/chain/chain-config.js');
  const { parseExecutionConfig } = await import('../../../execution-stack/api/dist/config/execution-config.js');
  const { InstrumentsService } = await import('../../../execution-stack/api/dist/market/instruments.service.js');
  const { parsePostTradeConfig } = await import('../../../execution-stack/api/dist/aggregation/post-trade-config.js');
  const { SandboxVenue } = await import('../../../execution-stack/api/dist/aggregation/sandbox-venue.js');
  const { MembersService } = await import('../../../execution-stack/api/dist/members/members.service.js');
  const { SettlementService } = await import('../../../execution-stack/api/dist/settlement/settlement.service.js');
  const config = parseStackConfig('execution', process.env);
  const app = await createExecutionApp(config, parseChainConfig(process.env), parseExecutionConfig(process.env), parsePostTradeConfig(process.env));
  await app.listen(config.http.port, config.http.host);
  const run = async (request: StackOp): Promise<unknown> => {
    switch (request.op) {
      case 'listInstrument':
        return (await app.get(InstrumentsService).list(request.args)).id;
      case 'seedVenue': {
        const { instrumentId, ...liquidity } = request.args;
        app.get(SandboxVenue).seed(instrumentId, liquidity);
        return instrumentId;
      }
      case 'createOperator': {
        // Operators exist before anyone can sign a request (bootstrap); approvers are authorised the same way.
        const created = await app.get(MembersService).createOperator(request.args.handle, request.args.publicJwk);
        if (request.args.settlementApprover) await app.get(SettlementService).registerApprover(created.operatorId, 'system:e2e');
        return created;
      }
      case 'createMarketMaker': {
        // A member with its own key (the operator's onboarding, done by the bootstrap here); it then trades over the signed member API.
        const { publicJwk, orderQuantityMax, orderNotionalMax } = request.args;
        const created = await app.get(MembersService).createMember('system:e2e', {
          kind: 'market_maker', orderQuantityMax, orderNotionalMax, openOrdersMax: 100, messagesPerSecond: 100, publicJwk,
        });
        return created.keyId;
      }
      default:
        throw new Error(`the execution stack has no operation ${request.op}`);
    }
  };
  return { app, run };
}

const { app, run } = stack === 'customer' ? await customerApp() : await executionApp();
process.on('message', (message: StackRequest) => {
  run(message).then(
    (value) => process.send?.({ id: message.id, ok: true, value } satisfies StackReply),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies StackReply),
  );
});
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
process.send?.({ ready: true, port: (app.getHttpServer().address() as AddressInfo).port } satisfies StackReady);
