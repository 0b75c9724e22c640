import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** Common setting shapes so every service parses them the same way. */
export const setting = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.string().url(),
  postgresUrl: () => z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  amqpUrl: () => z.string().regex(/^amqps?:\/\//, 'must be an amqp:// URL'),
  redisUrl: () => z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  /** Comma-separated IPs / CIDRs; empty means no restriction. */
  cidrList: () =>
    z
      .string()
      .default('')
      .transform((v, ctx) => {
        const entries = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const entry of entries) {
          const [addr, bits] = entry.split('/');
          const family = isIP(addr ?? '');
          const maxBits = family === 6 ? 128 : 32;
          if (!family || (bits !== undefined && !(Number(bits) >= 0 && Number(bits) <= maxBits))) {
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR` });
            return z.NEVER;
          }
        }
        return entries;
      }),
  /** Comma-separated host names or IP addresses (lower-cased); empty by default. */
  hostList: () =>
    z
      .string()
      .default('')
      .transform((v, ctx) => {
        const entries = v
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        for (const entry of entries) {
          if (
            !isIP(entry.replace(/^\[|\]$/g, '')) &&
            !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)
          ) {
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name or IP address` });
            return z.NEVER;
          }
        }
        return entries;
      }),
  /** Durations like `30s`, `5m`, `2h`, `30d`, or plain milliseconds. */
  durationMs: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v, ctx) => {
        const ms = parseDuration(v);
        if (ms === undefined) {
          ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 30s, 5m, 2h, 30d)` });
          return z.NEVER;
        }
        return ms;
      }),
  /** Sizes like `1mb`, `512kb`, `100b` or plain bytes, as a number of bytes. */
  bytes: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v, ctx) => {
        const match = /^(\d+)(b|kb|mb|gb)?$/i.exec(v.trim());
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `"${v}" is not a size (e.g. 1mb, 512kb)` });
          return z.NEVER;
        }
        const unit = (match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb' | 'gb';
        return Number(match[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit];
      }),
  /** NODE_ENV: anything but `production` counts as development (`test` is kept for the tests). */
  nodeEnv: () =>
    z
      .string()
      .default('development')
      .transform((v): 'production' | 'development' | 'test' =>
        v === 'production' ? 'production' : v === 'test' ? 'test' : 'development',
      ),
  logLevel: () => z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug']).default('info'),
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']);
}

/** Builds a BlockList from validated CIDR entries (for allowlist checks). */
export function toBlockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}
