import type { IncomingMessage } from 'node:http';
import { clientIp } from './product-fast-lane';

const req = (socket: string, xff?: string) =>
  ({
    socket: { remoteAddress: socket },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  }) as unknown as IncomingMessage;

/** The same answers as Express's req.ip with `trust proxy` set to a hop count. */
describe(clientIp.name, () => {
  it('uses the socket address when no proxy is trusted', () => {
    expect(clientIp(req('10.0.0.1', '1.2.3.4'), 0)).toBe('10.0.0.1');
  });

  it('takes the entry the trusted hops appended', () => {
    expect(clientIp(req('10.0.0.1', '1.1.1.1, 2.2.2.2'), 1)).toBe('2.2.2.2');
    expect(clientIp(req('10.0.0.1', '1.1.1.1, 2.2.2.2'), 2)).toBe('1.1.1.1');
  });

  it('stops at the first entry when more hops are trusted than present', () => {
    expect(clientIp(req('10.0.0.1', '1.1.1.1'), 5)).toBe('1.1.1.1');
    expect(clientIp(req('10.0.0.1'), 1)).toBe('10.0.0.1');
  });
});
