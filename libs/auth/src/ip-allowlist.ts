import { BlockList, isIP } from 'node:net';

/** An allowlist of IPs/CIDRs; empty allows everyone. IPv4-mapped IPv6 addresses are unwrapped. */
export class IpAllowlist {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [addr, bits] = entry.split('/') as [string, string | undefined];
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
  }

  allows(ip: string | undefined): boolean {
    if (this.empty) return true;
    if (!ip) return false;
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const type = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return isIP(plain) !== 0 && this.list.check(plain, type);
  }
}
