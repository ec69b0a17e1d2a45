// A person's authenticator app: the current code for a secret, never the same time step twice
// (the stack accepts each step once and allows one step of drift either way).
import { Secret, TOTP } from 'otpauth';

const PERIOD_S = 30;

export class Authenticator {
  private lastStep = -1;
  private readonly totp: TOTP;

  constructor(secretBase32: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: PERIOD_S });
  }

  /** A code the stack will accept now: the next unused step within the drift window, waiting if needed. */
  async code(): Promise<string> {
    for (;;) {
      const current = Math.floor(Date.now() / 1000 / PERIOD_S);
      const step = Math.max(current, this.lastStep + 1);
      if (step <= current + 1) {
        this.lastStep = step;
        return this.totp.generate({ timestamp: step * PERIOD_S * 1000 + 1_000 });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
