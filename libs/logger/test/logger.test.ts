import { PassThrough } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger, currentCorrelationId, requestIdMiddleware, runWithCorrelationId } from '@pjs/logger';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe('JSON logger', () => {
  it('writes one JSON object per line with service, process, level, msg and time', () => {
    const { stream, lines } = capture();
    createLogger({ service: 'dbu-web', process: 'web', stream }).info('hello', { rows: 3 });
    expect(lines[0]).toMatchObject({ service: 'dbu-web', process: 'web', level: 'info', msg: 'hello', rows: 3 });
    expect(typeof lines[0].time).toBe('string');
  });

  it('adds the correlation id of the current request or message', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 's', process: 'worker', stream });
    runWithCorrelationId('abc-123', () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0].correlation_id).toBe('abc-123');
    expect(lines[1].correlation_id).toBeUndefined();
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

describe('request id middleware', () => {
  const app = express();
  app.use(requestIdMiddleware);
  app.get('/', (_req, res) => {
    res.json({ id: currentCorrelationId() });
  });

  it('keeps a caller X-Request-Id and returns it', async () => {
    const res = await request(app).get('/').set('X-Request-Id', 'mail-parser-42');
    expect(res.headers['x-request-id']).toBe('mail-parser-42');
    expect(res.body.id).toBe('mail-parser-42');
  });

  it('generates one when missing or unsafe', async () => {
    const res = await request(app).get('/').set('X-Request-Id', 'bad id <script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.id).toBe(res.headers['x-request-id']);
  });
});
