/**
 * A bounded, short-lived cache of credential hash → caller, so a hot API does not pay a database
 * round trip per request. Entries end at their TTL or at the credential's own expiry, whichever
 * comes first; `clear()` is called on every change notified by the database (AuthChangeListener).
 */
export class CredentialCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, notAfter?: Date | null): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const expires = Math.min(Date.now() + this.ttlMs, notAfter ? notAfter.getTime() : Infinity);
    this.entries.set(key, { value, expires });
  }

  clear(): void {
    this.entries.clear();
  }
}
