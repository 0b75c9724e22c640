import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vrl from '@bpinternal/verel';
import { readYaml } from './support/files';
import { COMPOSE_DIR, INFRA_DIR } from './support/tools';

interface VectorConfig {
  data_dir: string;
  api: { enabled: boolean; address: string };
  sources: Record<string, { type: string; exclude_containers?: string[] }>;
  transforms: Record<string, { type: string; inputs: string[]; file?: string; source?: string }>;
  sinks: Record<
    string,
    { type: string; inputs: string[]; endpoint: string; labels: Record<string, string>; encoding: { codec: string } }
  >;
}

const VECTOR_DIR = path.join(INFRA_DIR, 'vector');
const config = () => readYaml<VectorConfig>(path.join(VECTOR_DIR, 'vector.yaml'));
const program = () => readFileSync(path.join(VECTOR_DIR, 'remap', 'docker_logs.vrl'), 'utf8');

/** A docker_logs event as Vector's source emits it. */
function dockerEvent(message: string, labels: Record<string, string>, stream = 'stdout') {
  return {
    message,
    stream,
    container_name: labels['com.docker.compose.service'] ? `x-${labels['com.docker.compose.service']}-1` : 'loose',
    container_id: 'abc123',
    image: 'pjs/dbu:1.2.3',
    label: labels,
    source_type: 'docker_logs',
    timestamp: '2025-05-01T10:00:00.000Z',
  };
}

const execute = (event: object) => vrl.execute(program(), event).event as Record<string, unknown>;
const dbuWeb = { 'pjs.project': 'dbu', 'com.docker.compose.project': 'dbu', 'com.docker.compose.service': 'dbu-web' };

describe('Vector (infrastructure-stack/vector)', () => {
  it('reads Docker logs, remaps them and ships them to Loki with project, service and level labels only', () => {
    const cfg = config();
    expect(cfg.sources.docker?.type).toBe('docker_logs');
    expect(cfg.sources.docker?.exclude_containers).toContain('vector');
    expect(cfg.transforms.app_logs).toMatchObject({
      type: 'remap',
      inputs: ['docker'],
      file: '/etc/vector/remap/docker_logs.vrl',
    });
    const loki = cfg.sinks.loki;
    expect(loki).toMatchObject({
      type: 'loki',
      inputs: ['app_logs'],
      endpoint: 'http://loki:3100',
      encoding: { codec: 'json' },
    });
    expect(loki.labels).toEqual({ project: '{{ project }}', service: '{{ service }}', level: '{{ level }}' });
    expect(cfg.data_dir).toBe('/var/lib/vector');
  });

  it('mounts the remap program where the config expects it and keeps its data on a volume', () => {
    const compose = readFileSync(path.join(COMPOSE_DIR, 'infrastructure-stack/docker-compose.yml'), 'utf8');
    expect(compose).toContain('../../infrastructure-stack/vector/remap:/etc/vector/remap:ro');
    expect(compose).toContain('vector_data:/var/lib/vector');
  });

  it('compiles the remap program with the VRL compiler (no errors, no warnings)', () => {
    const result = vrl.check(program());
    expect(result.errors.map((e) => vrl.formatDiagnostic(e))).toEqual([]);
    expect(result.warnings.map((e) => vrl.formatDiagnostic(e))).toEqual([]);
  });

  it('catches a broken program (the compiler is live)', () => {
    expect(vrl.check('.a = parse_json(.message)\n.b = undefined_fn(1)').errors.length).toBeGreaterThan(0);
  });

  it('keeps our JSON log fields, request and correlation ids included, and labels the line', () => {
    const line = JSON.stringify({
      level: 'warn',
      msg: 'slow query',
      service: 'dbu',
      process: 'web',
      correlation_id: 'c0ffee',
      request_id: 'r-1',
      time: '2025-05-01T09:59:59.999Z',
    });
    const out = execute(dockerEvent(line, dbuWeb));
    expect(out).toMatchObject({
      project: 'dbu',
      service: 'dbu-web',
      level: 'warn',
      msg: 'slow query',
      process: 'web',
      correlation_id: 'c0ffee',
      request_id: 'r-1',
      container: 'x-dbu-web-1',
      timestamp: '2025-05-01T10:00:00.000Z',
    });
  });

  it.each([
    ['error', 'error'],
    ['fatal', 'error'],
    ['WARNING', 'warn'],
    ['http', 'info'],
    ['verbose', 'debug'],
    ['silly', 'debug'],
    ['weird', 'unknown'],
  ])('folds level %s to %s (bounded label values)', (level, expected) => {
    expect(execute(dockerEvent(JSON.stringify({ level, msg: 'x' }), dbuWeb)).level).toBe(expected);
  });

  it('wraps plain text lines and infers their level from the stream', () => {
    const out = execute(
      dockerEvent(
        'PostgreSQL init process complete',
        { 'pjs.project': 'im', 'com.docker.compose.service': 'im-postgres' },
        'stderr',
      ),
    );
    expect(out).toMatchObject({
      msg: 'PostgreSQL init process complete',
      level: 'error',
      project: 'im',
      service: 'im-postgres',
    });
    expect(execute(dockerEvent('ready', dbuWeb)).level).toBe('info');
  });

  it('falls back to the compose project and the container name when our labels are missing', () => {
    const out = execute({
      ...dockerEvent('{"level":"info","msg":"x"}', { 'com.docker.compose.project': 'other' }),
      container_name: 'loose',
    });
    expect(out).toMatchObject({ project: 'other', service: 'loose', level: 'info' });
  });

  it('never takes a label value from the log line (no cardinality explosion)', () => {
    const out = execute(
      dockerEvent(JSON.stringify({ level: 'info', project: 'evil', service: 'random-123', msg: 'x' }), dbuWeb),
    );
    expect(out).toMatchObject({ project: 'dbu', service: 'dbu-web' });
  });

  it('parses nginx access lines (JSON) like app lines', () => {
    const nginxLine =
      '{"time":"2025-05-01T10:00:00+00:00","level":"info","service":"nginx","msg":"request","status":502,"request_id":"abc"}';
    const out = execute(dockerEvent(nginxLine, { 'pjs.project': 'is', 'com.docker.compose.service': 'nginx' }));
    expect(out).toMatchObject({ project: 'is', service: 'nginx', level: 'info', status: 502, request_id: 'abc' });
  });
});
