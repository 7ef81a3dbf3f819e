import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

/** How to build the server's logger when no instance is given. */
export interface LoggerOptions {
  readonly level: string;
  /** Human-readable lines for `--dev`; JSON lines otherwise. */
  readonly pretty: boolean;
}

/** A pino logger writing JSON lines to stdout, or pretty lines when developing. */
export function createLogger(options: LoggerOptions): Logger {
  if (!options.pretty) return pino({ level: options.level });
  return pino(
    { level: options.level },
    pretty({ singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }),
  );
}
