import { type DestinationStream, type Logger, pino } from 'pino';
import { activeTraceIds } from './observability/tracing.js';

export type { Logger };

/**
 * Paths pino censors wherever a secret may end up in a log object: API keys and upstream
 * credentials under their usual names, Authorization headers of requests and of upstream errors
 * (the openai SDK's errors carry the request's headers), and the configuration's secrets.
 */
export const REDACTED_PATHS = [
  'key',
  'apiKey',
  'api_key',
  'token',
  'password',
  'secretAccessKey',
  'authorization',
  'Authorization',
  'LLM_API_KEY',
  'EMBEDDING_API_KEY',
  'S3_SECRET_ACCESS_KEY',
  'METRICS_TOKEN',
  'API_KEYS',
  '*.key',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.password',
  '*.secretAccessKey',
  '*.authorization',
  '*.Authorization',
  '*.LLM_API_KEY',
  '*.EMBEDDING_API_KEY',
  '*.S3_SECRET_ACCESS_KEY',
  '*.METRICS_TOKEN',
  '*.API_KEYS',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.*.headers.authorization',
  '*.*.headers.Authorization',
  'err.config.apiKey',
];

/**
 * Structured JSON logs on stdout (or `destination`), secrets redacted; a line logged inside a
 * traced span carries its `traceId` and `spanId`.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'assistants' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => activeTraceIds() ?? {},
    },
    destination,
  );
}
