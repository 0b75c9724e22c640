import { IpAllowlist } from './ip-allowlist';

describe(IpAllowlist.name, () => {
  it('allows everyone when empty', () => {
    expect(new IpAllowlist([]).allows('198.51.100.1')).toBe(true);
  });

  it('allows no one when empty in deny-all mode (production), and everyone listed as 0.0.0.0/0,::/0', () => {
    expect(new IpAllowlist([], 'deny-all').allows('127.0.0.1')).toBe(false);
    const open = new IpAllowlist(['0.0.0.0/0', '::/0'], 'deny-all');
    expect(open.allows('198.51.100.1')).toBe(true);
    expect(open.allows('2001:db8::1')).toBe(true);
  });

  it('matches single addresses, CIDRs and IPv4-mapped IPv6', () => {
    const list = new IpAllowlist(['10.0.0.0/8', '192.168.1.5', '2001:db8::/32']);
    expect(list.allows('10.9.8.7')).toBe(true);
    expect(list.allows('::ffff:10.9.8.7')).toBe(true);
    expect(list.allows('192.168.1.5')).toBe(true);
    expect(list.allows('192.168.1.6')).toBe(false);
    expect(list.allows('2001:db8::1')).toBe(true);
    expect(list.allows(undefined)).toBe(false);
    expect(list.allows('not-an-ip')).toBe(false);
  });
});
