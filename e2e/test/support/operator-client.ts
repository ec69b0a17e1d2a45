// An exchange operator over the execution stack's real API: every request PS256-signed with the
// operator's own key (method, path, body hash, time, nonce), exactly as the operator admin signs.
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { signRequest } from '../../../execution-stack/api/dist/members/request-signature.js';
import type { StackProcess } from './stack-process.js';

export interface OperatorAnswer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: T;
}

export class OperatorClient {
  private constructor(
    private readonly baseUrl: string,
    readonly operatorId: string,
    readonly keyId: string,
    readonly privateKey: CryptoKey,
  ) {}

  /** A new operator with a fresh key pair, created by the execution stack's bootstrap (optionally a settlement approver). */
  static async create(execution: StackProcess, handle: string, settlementApprover: boolean): Promise<OperatorClient> {
    const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)) };
    const created = (await execution.call('createOperator', { handle, publicJwk, settlementApprover })) as { operatorId: string; keyId: string };
    return new OperatorClient(execution.baseUrl, created.operatorId, created.keyId, privateKey);
  }

  get<T>(path: string): Promise<OperatorAnswer<T>> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<OperatorAnswer<T>> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<OperatorAnswer<T>> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const signed = await signRequest({ keyId: this.keyId, privateKey: this.privateKey }, { method, path, body: text });
    const headers: Record<string, string> = { ...signed, accept: 'application/json' };
    if (text) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(text ? { body: text } : {}) });
    const answer = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json') && answer ? (JSON.parse(answer) as T) : (undefined as T);
    return { status: response.status, headers: response.headers, text: answer, body: json };
  }
}
