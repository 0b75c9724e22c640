import { PassThrough } from 'node:stream';
import { AccessLog, createLogger, runWithCorrelationId } from '@pjs/logger';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe('JSON logger', () => {
  it('writes one JSON object per line with timestamp, level, service, process and msg', () => {
    const { stream, lines } = capture();
    createLogger({ service: 'dbu-web', process: 'web', stream }).info('hello', { rows: 3 });
    expect(lines[0]).toMatchObject({ service: 'dbu-web', process: 'web', level: 'info', msg: 'hello', rows: 3 });
    expect(new Date(lines[0].timestamp as string).toISOString()).toBe(lines[0].timestamp);
  });

  it('adds the request id of the current request or message', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 's', process: 'worker', stream });
    runWithCorrelationId('abc-123', () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0].request_id).toBe('abc-123');
    expect(lines[1].request_id).toBeUndefined();
  });

  it('never writes secret-looking fields', () => {
    const { stream, lines } = capture();
    createLogger({ service: 's', process: 'cli', stream }).info('login', {
      password: 'hunter2',
      headers: { authorization: 'Token pjs_secret' },
      nested: { api_key: 'k', keep: 'visible' },
    });
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pjs_secret');
    expect(lines[0]).toMatchObject({
      password: '***',
      headers: { authorization: '***' },
      nested: { api_key: '***', keep: 'visible' },
    });
  });
});

describe(AccessLog.name, () => {
  const record = {
    requestId: 'req-1',
    method: 'GET',
    path: '/api/products/A "quoted" \\ item',
    status: 200,
    durationMs: 1.2345,
    clientIp: '203.0.113.5',
    route: '/api/products/:item_no',
  };

  it('writes the same field schema as the logger, one valid JSON line per request, in one write per tick', async () => {
    const { stream, lines } = capture();
    const writes: string[] = [];
    stream.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
    const log = new AccessLog(createLogger({ service: 'dbu-web', process: 'web', stream }));
    log.write(record);
    log.write({ ...record, status: 503, clientIp: undefined, route: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    expect(lines[0]).toEqual({
      timestamp: expect.any(String),
      level: 'info',
      service: 'dbu-web',
      process: 'web',
      msg: 'request',
      request_id: 'req-1',
      method: 'GET',
      path: record.path,
      status: 200,
      duration_ms: 1.2,
      client_ip: '203.0.113.5',
      route: '/api/products/:item_no',
    });
    expect(lines[1]).toMatchObject({ level: 'error', status: 503, client_ip: null, route: null });
  });

  it('writes nothing when the level is above info, except server errors at warn', async () => {
    const { stream, lines } = capture();
    const log = new AccessLog(createLogger({ service: 's', process: 'web', level: 'warn', stream }));
    log.write(record);
    log.write({ ...record, status: 500 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => l.status)).toEqual([500]);
  });
});
