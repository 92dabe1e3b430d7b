// Current parameter sets of one kind (SPS, PPS, VPS) keyed by id; reports when one changes.

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ParameterSetStore {
  private readonly byId = new Map<number, Uint8Array>();

  /** Stores a copy (the packet buffer may be reused); returns true when it is new or different. */
  put(id: number, nal: Uint8Array): boolean {
    const old = this.byId.get(id);
    if (old && sameBytes(old, nal)) return false;
    this.byId.set(id, Uint8Array.from(nal));
    return true;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Uint8Array | undefined {
    return this.byId.get(id);
  }

  /** Sets in id order. */
  list(): Uint8Array[] {
    return [...this.byId.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }

  clear(): void {
    this.byId.clear();
  }
}
