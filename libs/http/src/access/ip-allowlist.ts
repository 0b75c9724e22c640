import { BlockList, isIP } from 'node:net';

const MAX_REMEMBERED = 4096;

/** What an allowlist without entries does: development lets everyone in, production no one. */
export type EmptyAllowlist = 'allow-all' | 'deny-all';

/**
 * An allowlist of IPs/CIDRs; empty allows everyone or no one (`whenEmpty`, production denies).
 * An explicit `0.0.0.0/0,::/0` opens it to everyone. IPv4-mapped IPv6 addresses are unwrapped.
 * Decisions are remembered per address (a BlockList check allocates; callers come from few
 * addresses), up to a bound after which the memory starts over.
 */
export class IpAllowlist {
  private readonly list = new BlockList();
  private readonly decisions = new Map<string, boolean>();
  readonly empty: boolean;

  constructor(
    entries: readonly string[],
    readonly whenEmpty: EmptyAllowlist = 'allow-all',
  ) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [addr, bits] = entry.split('/') as [string, string | undefined];
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
  }

  allows(ip: string | undefined): boolean {
    if (this.empty) return this.whenEmpty === 'allow-all';
    if (!ip) return false;
    let allowed = this.decisions.get(ip);
    if (allowed === undefined) {
      allowed = this.decide(ip);
      if (this.decisions.size >= MAX_REMEMBERED) this.decisions.clear();
      this.decisions.set(ip, allowed);
    }
    return allowed;
  }

  private decide(ip: string): boolean {
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}
