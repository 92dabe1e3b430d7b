// Client-side authentication state: the chosen challenge and the Digest nonce count. Decides
// whether a 401 deserves one retry (first challenge, or stale=true, or a fresh nonce after a
// mid-session expiry) or is a final refusal. Once Digest was answered, Basic is refused: a
// server (or a redirect target) asking for Basic then would get the password in clear.
import { buildAuthorization, chooseChallenge, parseWwwAuthenticate, type AuthChallenge, type Credentials } from './headers/auth.ts';

export class Authenticator {
  private challenge: AuthChallenge | undefined;
  private nc = 0;
  private digestAnswered: boolean;

  constructor(
    private readonly creds: Credentials | undefined,
    opts: { digestAnswered?: boolean } = {},
  ) {
    this.digestAnswered = opts.digestAnswered ?? false;
  }

  get hasCredentials(): boolean {
    return this.creds !== undefined;
  }

  /**
   * The same credentials for another server: no challenge carried over (nothing is sent before
   * that server's own 401), and the refusal of Basic after Digest kept.
   */
  forNextServer(): Authenticator {
    return new Authenticator(this.creds, { digestAnswered: this.digestAnswered || this.challenge?.scheme === 'digest' });
  }

  /** The Authorization value for a request, or undefined before any challenge. */
  authorize(method: string, uri: string): string | undefined {
    if (!this.challenge || !this.creds) return undefined;
    this.nc++;
    return buildAuthorization(this.challenge, this.creds, method, uri, this.nc);
  }

  /**
   * Handles a 401's WWW-Authenticate values. `alreadyRetried`: this request was already sent
   * with credentials after a 401. Returns 'retry' or the reason to give up.
   */
  onUnauthorized(values: readonly string[], alreadyRetried: boolean): 'retry' | 'no-credentials' | 'rejected' | 'unsupported' | 'downgrade' {
    if (!this.creds) return 'no-credentials';
    let challenges: AuthChallenge[];
    try {
      challenges = parseWwwAuthenticate(values);
    } catch {
      return 'unsupported';
    }
    const next = chooseChallenge(challenges);
    if (!next) return 'unsupported';
    if (next.scheme === 'basic' && (this.digestAnswered || this.challenge?.scheme === 'digest')) return 'downgrade';
    const stale = (next.params.stale ?? '').toLowerCase() === 'true';
    // A second 401 for a request we already answered means wrong credentials, unless the
    // server only says our nonce went stale.
    if (alreadyRetried && !stale) return 'rejected';
    if (next.scheme === 'digest') this.digestAnswered = true;
    this.challenge = next;
    this.nc = 0;
    return 'retry';
  }
}
