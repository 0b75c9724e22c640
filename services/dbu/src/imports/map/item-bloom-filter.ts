/**
 * A Bloom filter over item numbers, so that finding duplicates in a file costs no second pass:
 * every item number seen twice is reported as a suspect (with a few false alarms, checked later
 * in SQL); one never reported is certainly unique. 8 MiB, about 100 false alarms per million rows.
 */
export class ItemBloomFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  /** Item numbers that may have been seen before (every real duplicate is among them). */
  readonly suspects = new Set<string>();

  constructor(log2Bits = 26) {
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  add(value: string): void {
    // Two FNV-1a variants, combined by double hashing into three probes.
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < value.length; i += 1) {
      const c = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    let seen = true;
    for (let k = 0; k < 3; k += 1) {
      const bit = (h1 + k * (h2 | 1)) & this.mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.bits[word] & flag) === 0) {
        seen = false;
        this.bits[word] |= flag;
      }
    }
    if (seen) this.suspects.add(value);
  }
}
