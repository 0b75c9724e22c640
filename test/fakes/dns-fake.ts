/**
 * A fake of Docker's embedded DNS server (127.0.0.11 in a container) for tests of nginx's run-time
 * resolution: answers A queries over UDP for the names it is given (changeable while it runs, as a
 * re-created container gets a new address), NXDOMAIN for any other name, and counts the queries.
 *
 *   const dns = await startDnsFake({ 'dbu-web': '127.0.0.1' });
 *   // dns.address ("127.0.0.1:PORT"), dns.records (change), dns.queries, await dns.close()
 */
import { createSocket } from 'node:dgram';

export interface DnsFake {
  address: string;
  records: Record<string, string>;
  queries: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;

/** The query's name (labels joined by dots) and where its question section ends. */
function readQuestion(msg: Buffer): { name: string; end: number; type: number } | undefined {
  let offset = 12;
  const labels: string[] = [];
  while (offset < msg.length) {
    const len = msg[offset];
    if (len === 0) break;
    if (len > 63) return undefined; // no compression in a question we accept
    labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('ascii'));
    offset += 1 + len;
  }
  if (offset + 5 > msg.length) return undefined;
  const type = msg.readUInt16BE(offset + 1);
  return { name: labels.join('.').toLowerCase(), end: offset + 5, type };
}

export async function startDnsFake(records: Record<string, string> = {}): Promise<DnsFake> {
  const socket = createSocket('udp4');
  const fake: DnsFake = { address: '', records: { ...records }, queries: [], close: () => Promise.resolve() };
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    const question = readQuestion(msg);
    if (!question) return;
    fake.queries.push(question.name);
    const ip = fake.records[question.name];
    const answer = ip !== undefined && question.type === TYPE_A;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    // QR, opcode 0, AA, RD copied, RA; RCODE 0 (no error) or 3 (NXDOMAIN).
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (ip === undefined ? 3 : 0), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const parts = [header, msg.subarray(12, question.end)];
    if (answer) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question's
      rr.writeUInt16BE(TYPE_A, 2);
      rr.writeUInt16BE(1, 4); // class IN
      rr.writeUInt32BE(1, 6); // TTL 1 s: nginx's resolver `valid=` decides how long it keeps it
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
      parts.push(rr);
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  fake.address = `127.0.0.1:${socket.address().port}`;
  fake.close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return fake;
}
