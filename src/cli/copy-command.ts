import type { Config } from "../config/index.ts";
import { type CopyReport, copyDeployment, reason as copyFailureReason } from "../copy-deployment.ts";

/** Where the command prints (the process's streams unless a test passes its own). */
export interface CopyIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CopyIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`plinth: ${line}\n`),
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The report: one line per collection (rows, checksum), warnings, then a summary. */
export function formatCopyReport(report: CopyReport): string[] {
  const width = Math.max(...report.collections.map((c) => c.name.length), 10);
  const lines = report.collections.map(
    (c) =>
      `${c.name.padEnd(width)}  ${c.type.padEnd(4)}  ${String(c.rows).padStart(9)} rows  ${
        c.checksum === null ? "(view: query runs, rows counted)" : `sha256 ${c.checksum}`
      }`,
  );
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push(
    `Copied ${plural(report.collections.length, "collection", "collections")}, ` +
      `${plural(report.records, "record", "records")} and ${plural(report.params.length, "param", "params")} ` +
      `(${report.params.join(", ") || "no settings saved"}) into schema "${report.schema}" in one transaction; ` +
      "every row count and checksum matched.",
  );
  return lines;
}

/** `plinth copy --to URL`: copies the embedded deployment in --dir to PostgreSQL; returns the exit code. */
export async function runCopy(
  config: Config,
  to: string | undefined,
  io: CopyIo = processIo,
): Promise<number> {
  if (to === undefined || to === "" || to.startsWith("-")) {
    io.err("usage: plinth copy --to postgres://user@host:5432/db [--dir PATH]");
    return 1;
  }
  try {
    const report = await copyDeployment({ sourceDir: config.dir, targetUrl: to, log: io.out });
    for (const line of formatCopyReport(report)) io.out(line);
    io.out(`Start it with: plinth serve --db <the same URL>`);
    return 0;
  } catch (err) {
    // the copy's own messages carry the database's reason; anything else gets its innermost cause
    const message = err instanceof Error ? err.message : String(err);
    const inner = copyFailureReason(err);
    io.err(`copy failed: ${message}${message.includes(inner) ? "" : ` (${inner})`}`);
    return 1;
  }
}
