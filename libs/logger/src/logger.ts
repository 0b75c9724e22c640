import winston from 'winston';
import { currentCorrelationId } from './correlation';

export type ProcessKind = 'web' | 'worker' | 'cli' | 'cleanup';

export interface LoggerOptions {
  service: string;
  process: ProcessKind;
  level?: string;
  /** Where lines go; stdout by default (tests pass a stream to read them). */
  stream?: NodeJS.WritableStream;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|cookie/i;

/** Replaces values of secret-looking keys so a careless log call cannot leak them. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '***' : redactSecrets(v, depth + 1);
  }
  return out;
}

const addContext = winston.format((info) => {
  info.timestamp = new Date().toISOString();
  const requestId = currentCorrelationId();
  if (requestId && info.request_id === undefined) info.request_id = requestId;
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEY.test(key) ? '***' : redactSecrets(info[key]);
  }
  return info;
});

/** Renames winston's `message` to `msg` so every line has the same keys. */
const renameMessage = winston.format((info) => {
  info.msg = info.message;
  delete (info as { message?: unknown }).message;
  return info;
});

const destinations = new WeakMap<winston.Logger, { stream: NodeJS.WritableStream; options: LoggerOptions }>();

/**
 * The JSON logger of a process. Every line has `timestamp`, `level`, `service`, `process`, `msg`
 * and, inside a request or message, `request_id` (see docs/operations.md for the whole schema).
 */
export function createLogger(options: LoggerOptions): winston.Logger {
  const stream = options.stream ?? process.stdout;
  const logger = winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service, process: options.process },
    format: winston.format.combine(
      addContext(),
      winston.format.errors({ stack: true }),
      renameMessage(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
  destinations.set(logger, { stream, options });
  return logger;
}

/** Where a logger made by createLogger writes, for writers that share its output (the access log). */
export function loggerDestination(logger: winston.Logger): { stream: NodeJS.WritableStream; options: LoggerOptions } {
  const destination = destinations.get(logger);
  if (!destination) throw new Error('loggerDestination: the logger was not made by createLogger');
  return destination;
}

export type Logger = winston.Logger;
