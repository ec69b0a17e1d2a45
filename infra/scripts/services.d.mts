export interface Secrets {
  wall: { c2e: { kid: string; secret: string }; e2c: { kid: string; secret: string } };
  nats: { customer: string; execution: string; provisioner: string };
  postgres: { customer: string; execution: string; customerOwner: string; executionOwner: string };
  postgres: { customer: string; execution: string };
  auth: { jwtPrivateKey: string; totpKey: string; lookupKey: string };
  notifications: { webhookKey: string };
  privacy: { vaultMasterKey: string };
  compliance: { dataKey: string; subjectKey: string };
}
export const ROOT: string;
export function freePort(): Promise<number>;
export function portOpen(port: number, host?: string, timeoutMs?: number): Promise<boolean>;
export function generateSecrets(): Secrets;
export function findNatsServer(options?: { install?: boolean }): string | undefined;
export function findOrInstall(options: { candidates: readonly (string | undefined)[]; aptPackage: string; what: string; install?: boolean }): string | undefined;
export function findComposeCli(): string | undefined;
export function findChromium(options?: { install?: boolean }): string | undefined;
export function spawnNatsServer(options: { port: number; storeDir: string; secrets: Secrets; bin?: string }): Promise<{ url: string; pid: number; stop(): Promise<void> }>;
/** A stack database's two URLs: the application role's and the owner's (migrations only). */
export interface DatabaseUrls {
  readonly url: string;
  readonly ownerUrl: string;
}
export function provisionDatabase(
  adminUrl: string,
  options: { role: string; password: string; ownerRole: string; ownerPassword: string; database: string },
): Promise<DatabaseUrls>;
export function dropDatabase(adminUrl: string, database: string): Promise<void>;
export function provisionWall(url: string, credentials?: { user?: string; pass?: string }): Promise<void>;
export function stackEnv(
  stack: 'customer' | 'execution',
  options: { database: DatabaseUrls; natsUrl: string; secrets: Secrets; natsAuthenticated: boolean; port: number },
): Record<string, string>;
