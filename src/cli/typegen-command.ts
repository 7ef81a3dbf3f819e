import { existsSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Config } from "../config/index.ts";
import { createPlinth, type Plinth } from "../plinth.ts";
import { createOpenApiService } from "../services/openapi/index.ts";

/** Where `plinth typegen` writes without `--out`. */
export const DEFAULT_TYPES_FILE = "plinth-types.ts";

/** Where the command prints (the process's streams unless a test passes its own). */
export interface TypegenIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: TypegenIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`plinth: ${line}\n`),
};

/** `plinth typegen [--out FILE]`: writes the live collections' TypeScript record types; returns the exit code. */
export async function runTypegen(
  config: Config,
  out: string | undefined,
  io: TypegenIo = processIo,
): Promise<number> {
  if (out !== undefined && (out === "" || out.startsWith("-"))) {
    io.err("--out needs a file name, e.g. plinth typegen --out src/pb-types.ts");
    return 1;
  }
  // opening a missing directory would create an empty database and types for the system collections only
  if (!existsSync(config.dir)) {
    io.err(`no data directory at ${config.dir} (pass --dir or PLINTH_DIR)`);
    return 1;
  }
  const target = resolve(out ?? DEFAULT_TYPES_FILE);
  let app: Plinth;
  try {
    app = await createPlinth({ ...config, logLevel: "silent" });
  } catch (err) {
    io.err(`cannot open ${config.dir}: ${(err as Error).message}`);
    return 1;
  }
  try {
    const text = createOpenApiService({ schema: app.services.schema }).typescript();
    // written beside the target and renamed so a watcher never sees half a file
    const partial = `${target}.${process.pid}.tmp`;
    await writeFile(partial, text);
    await rename(partial, target);
    io.out(`Wrote types for ${app.services.schema.all().length} collections to ${target}`);
    return 0;
  } catch (err) {
    io.err(`cannot write ${target}: ${(err as Error).message}`);
    return 1;
  } finally {
    await app.close();
  }
}
