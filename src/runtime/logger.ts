// A small structured logger: one JSON object per line on stderr (or any sink), redacted.
import type { LogLevel, Logger } from '../types/logger.ts';
import type { Redactor } from './redact.ts';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly level?: LogLevel | 'silent';
  readonly write?: (line: string) => void;
  readonly redactor: Redactor;
  readonly bindings?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const min = options.level === 'silent' ? Infinity : ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bindings = options.bindings ?? {};
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const entry = options.redactor.value({ time: new Date().toISOString(), level, msg: message, ...bindings, ...fields });
    write(JSON.stringify(entry));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => createLogger({ ...options, bindings: { ...bindings, ...more } }),
  };
}
