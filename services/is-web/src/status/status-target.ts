export interface StatusTarget {
  name: string;
  url: string;
  kind: 'http' | 'tcp';
}

/** Parses `name=url,name=url`; names must be unique, URLs http(s):// or tcp://host:port. */
export function parseTargets(value: string): StatusTarget[] {
  const targets: StatusTarget[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : '';
    const url = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!/^[\w.-]{1,64}$/.test(name)) throw new Error(`"${entry}" must look like name=url`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`target ${name}: "${url}" is not a URL`);
    }
    const kind = parsed.protocol === 'tcp:' ? 'tcp' : parsed.protocol.startsWith('http') ? 'http' : undefined;
    if (!kind) throw new Error(`target ${name}: only http(s):// and tcp:// URLs are supported`);
    if (kind === 'tcp' && !parsed.port) throw new Error(`target ${name}: tcp:// needs a port`);
    if (targets.some((t) => t.name === name)) throw new Error(`target ${name} is listed twice`);
    targets.push({ name, url, kind });
  }
  return targets;
}
