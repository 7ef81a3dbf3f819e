import { ConfigError, loadConfig, positionals } from "../config/index.ts";
import { PlinthError } from "../core/errors.ts";
import { createPlinth } from "../plinth.ts";
import { serveCluster } from "./cluster.ts";
import { runCopy } from "./copy-command.ts";
import { runTypegen } from "./typegen-command.ts";

const HELP = `Usage: plinth <command> [flags]

Commands:
  serve                              start the server (default)
  superuser upsert EMAIL PASSWORD    create or update a superuser
  superuser delete EMAIL             delete a superuser
  typegen [--out FILE]               write TypeScript types for the live collections
  copy --to POSTGRES_URL             copy the embedded deployment in --dir into an empty PostgreSQL
                                     database or schema, verified, in one transaction (stop the server first)

Flags (or PLINTH_* environment variables):
  --http HOST:PORT      listen address (PLINTH_HTTP, default 127.0.0.1:8090)
  --dir PATH            data directory (PLINTH_DIR, default ./plinth_data)
  --dev                 pretty logs (PLINTH_DEV)
  --log-level LEVEL     fatal|error|warn|info|debug|trace|silent (PLINTH_LOG_LEVEL)
  --origins LIST        CORS origins, comma separated or * (PLINTH_ORIGINS)
  --body-limit BYTES    largest request body (PLINTH_BODY_LIMIT)
  --synchronous MODE    SQLite durability NORMAL|FULL (PLINTH_SYNCHRONOUS)
  --shutdown-timeout MS how long SIGTERM waits for in-flight requests (PLINTH_SHUTDOWN_TIMEOUT)
  --workers N|auto      server processes sharing the port; auto = one per CPU (PLINTH_WORKERS, default 1)
  --db-pool-size N      PostgreSQL connections per process (PLINTH_DB_POOL_SIZE, default 10)
  --db-acquire-timeout MS    wait for a database connection before a 503 (PLINTH_DB_ACQUIRE_TIMEOUT_MS, default 5000)
  --db-statement-timeout MS  longest SQL statement before a 503 (PLINTH_DB_STATEMENT_TIMEOUT_MS, default 30000)
  --db URL              PostgreSQL URL, postgres://…; default: SQLite in --dir (PLINTH_DB)
  --redis URL           Redis URL, redis://…, for the cross-instance bus (PLINTH_REDIS)
  --realtime-replay-window S        seconds of realtime events kept for reconnecting clients (PLINTH_REALTIME_REPLAY_WINDOW, default 300)
  --realtime-replay-max-events N    most realtime events kept and replayed to one client (PLINTH_REALTIME_REPLAY_MAX_EVENTS, default 100000)
  --realtime-max-connections-per-ip N  realtime connections per client address (PLINTH_REALTIME_MAX_CONNECTIONS_PER_IP, default 100)
  --trusted-proxies LIST  proxy addresses/CIDRs whose X-Forwarded-For is believed (PLINTH_TRUSTED_PROXIES)
`;

function fail(message: string): number {
  process.stderr.write(`plinth: ${message}\n`);
  return 1;
}

/** Runs the CLI; returns the process exit code. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  const command = argv[0] && !argv[0].startsWith("-") ? argv[0] : "serve";
  const rest = command === argv[0] ? argv.slice(1) : argv;
  const commandFlag =
    command === "typegen"
      ? takeFlag(rest, "--out")
      : command === "copy"
        ? takeFlag(rest, "--to")
        : { value: undefined, rest };
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(commandFlag.rest, env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  const args = positionals(commandFlag.rest);

  switch (command) {
    case "serve":
      return config.workers > 1 ? serveCluster(config, serve) : serve(config);
    case "superuser":
      return superuser(config, args);
    case "typegen":
      return runTypegen(config, commandFlag.value);
    case "copy":
      return runCopy(config, commandFlag.value);
    default:
      return fail(`unknown command "${command}" (try plinth --help)`);
  }
}

function takeFlag(argv: readonly string[], flag: string): { value: string | undefined; rest: string[] } {
  const rest = [...argv];
  const joined = rest.findIndex((a) => a.startsWith(`${flag}=`));
  if (joined !== -1) return { value: rest.splice(joined, 1)[0]!.slice(flag.length + 1), rest };
  const i = rest.indexOf(flag);
  if (i === -1) return { value: undefined, rest };
  const value = rest[i + 1];
  rest.splice(i, 2);
  return { value, rest };
}

async function serve(
  config: ReturnType<typeof loadConfig>,
  options: { readonly superuserHint: boolean } = { superuserHint: true },
): Promise<number> {
  let app: Awaited<ReturnType<typeof createPlinth>>;
  try {
    app = await createPlinth(config);
  } catch (err) {
    return fail(`cannot start: ${(err as Error).message}`);
  }
  let address: string;
  try {
    address = await app.listen();
  } catch (err) {
    await app.close();
    const code = (err as { code?: string }).code;
    return fail(
      code === "EADDRINUSE"
        ? `--http ${config.host}:${config.port} is already in use`
        : `cannot listen: ${(err as Error).message}`,
    );
  }
  app.http.log.info({ address, dir: config.dir }, `Plinth is serving on ${address}`);
  if (options.superuserHint && !(await app.services.auth.hasSuperuser())) {
    process.stdout.write(`No superuser yet. Create one with: npx plinth superuser upsert EMAIL PASSWORD\n`);
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      app.http.log.info({ signal }, "shutting down");
      app.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}

async function superuser(config: ReturnType<typeof loadConfig>, args: string[]): Promise<number> {
  const [action, email, password] = args;
  if (action !== "upsert" && action !== "delete")
    return fail("usage: plinth superuser upsert EMAIL PASSWORD | delete EMAIL");
  if (!email || (action === "upsert" && !password))
    return fail(`usage: plinth superuser ${action} EMAIL${action === "upsert" ? " PASSWORD" : ""}`);
  const app = await createPlinth({ ...config, logLevel: "silent" });
  try {
    if (action === "upsert") {
      const result = await app.services.auth.upsertSuperuser(email, password!);
      process.stdout.write(`Superuser ${email} ${result}.\n`);
      return 0;
    }
    if (await app.services.auth.deleteSuperuser(email)) {
      process.stdout.write(`Superuser ${email} deleted.\n`);
      return 0;
    }
    return fail(`no superuser with email ${email}`);
  } catch (err) {
    if (err instanceof PlinthError) return fail(err.message);
    throw err;
  } finally {
    await app.close();
  }
}
