// The KYC provider interface (a real vendor plugs in behind it) and the sandbox provider that
// ships: deterministic outcomes chosen by the test data, so every path can be exercised.
//
// Sandbox outcomes, by the last three digits of the document number:
//   ...991  reject  (document_not_authentic)
//   ...992  review  (document_unclear)
//   ...993  timeout (answers only after the caller's timeout)
//   ...994  down    (the provider throws: unreachable)
//   other   approve
// Liveness: no token -> no score; a token starting with "spoof" -> 0.12; any other token -> 0.97.
import { createHash } from 'node:crypto';
import type { DocumentType } from './kyc-rules.js';

export interface KycProviderRequest {
  /** An opaque reference for the provider (never the user id). */
  readonly reference: string;
  readonly givenNames: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly documentType: DocumentType;
  readonly documentNumber: string;
  readonly documentCountry: string;
  readonly livenessToken: string | null;
}

export type KycProviderOutcome = 'approve' | 'reject' | 'review';

export interface KycProviderResult {
  readonly outcome: KycProviderOutcome;
  /** Provider reason codes (short, lower-case). */
  readonly reasons: readonly string[];
  /** 0-1, or null when no liveness check was made. */
  readonly livenessScore: number | null;
  /** The provider's id for this check. */
  readonly providerRef: string;
}

export interface KycProvider {
  readonly name: string;
  verify(request: KycProviderRequest, signal: AbortSignal): Promise<KycProviderResult>;
}

export const KYC_PROVIDER = Symbol('KYC_PROVIDER');

export class KycProviderUnavailable extends Error {
  override readonly name = 'KycProviderUnavailable';
}

export class SandboxKycProvider implements KycProvider {
  readonly name = 'sandbox';

  /** `hangMs`: how long a "timeout" document makes the sandbox wait (longer than any sane timeout). */
  constructor(private readonly hangMs = 60_000) {}

  async verify(request: KycProviderRequest, signal: AbortSignal): Promise<KycProviderResult> {
    const digits = request.documentNumber.replaceAll(/\D/g, '');
    const marker = digits.slice(-3);
    const providerRef = `sandbox-${createHash('sha256').update(request.reference).digest('hex').slice(0, 16)}`;
    const livenessScore = request.livenessToken === null ? null : request.livenessToken.startsWith('spoof') ? 0.12 : 0.97;
    if (marker === '994') throw new KycProviderUnavailable('sandbox provider unreachable');
    if (marker === '993') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.hangMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      throw new KycProviderUnavailable('sandbox provider did not answer');
    }
    if (marker === '991') return { outcome: 'reject', reasons: ['document_not_authentic'], livenessScore, providerRef };
    if (marker === '992') return { outcome: 'review', reasons: ['document_unclear'], livenessScore, providerRef };
    return { outcome: 'approve', reasons: [], livenessScore, providerRef };
  }
}
