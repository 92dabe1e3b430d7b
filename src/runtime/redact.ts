// Secrets (RTSP passwords, SAS tokens, account keys) never reach logs, events or errors.
// Known secret values are replaced wherever they appear; well-known secret shapes (URL
// userinfo, AccountKey=, sig=) are masked even when nobody declared them.
const MASK = '***';

const SHAPES: readonly [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"']*@/gi, `$1${MASK}@`],
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey|password|pwd)=([^;&\s"']+)/gi, `$1=${MASK}`],
  [/\b(sig|se?k|skoid|sktid)=([^&\s"';]+)/gi, `$1=${MASK}`],
  [/\b(Authorization:\s*)(Basic|Digest|Bearer)\s+[^\r\n"]+/gi, `$1$2 ${MASK}`],
];

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a value to hide. Values shorter than 3 characters are hidden only where shaped like a secret. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 3) {
      this.#secrets.add(secret);
      try {
        // percent-encoded forms appear in URLs
        const enc = encodeURIComponent(secret);
        if (enc !== secret) this.#secrets.add(enc);
      } catch {
        /* lone surrogate: nothing more to add */
      }
    }
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    for (const [re, rep] of SHAPES) out = out.replace(re, rep);
    return out;
  }

  /** Deep copy with every string redacted. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v instanceof Error) return this.text(v.message) as T;
    if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = this.value(x);
      return o as T;
    }
    return v;
  }

  /** A child that knows this one's secrets plus its own (one per instance). */
  child(): Redactor {
    const c = new Redactor();
    for (const s of this.#secrets) c.#secrets.add(s);
    return c;
  }
}

export const REDACTION_MASK = MASK;
