import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, DEFAULT_CONFIG, loadConfig, positionals } from "./config.ts";

/** Asserts that loading fails with a ConfigError naming `setting`, in its field and its message. */
function rejects(argv: string[], env: Record<string, string>, setting: string): void {
  assert.throws(
    () => loadConfig(argv, env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.equal(err.setting, setting);
      assert.match(err.message, new RegExp(`^invalid setting ${setting}: `));
      return true;
    },
  );
}

describe("loadConfig", () => {
  test("with no flags and no environment gives the defaults", () => {
    assert.deepEqual(loadConfig([], {}), DEFAULT_CONFIG);
  });

  test("returns a frozen config", () => {
    assert.ok(Object.isFrozen(loadConfig([], {})));
  });

  test("reads every flag", () => {
    const config = loadConfig(
      [
        "--http",
        "0.0.0.0:9000",
        "--dir",
        "some/dir",
        "--dev",
        "--log-level",
        "debug",
        "--origins",
        "https://a.example, https://b.example",
        "--body-limit",
        "1024",
        "--synchronous",
        "full",
        "--shutdown-timeout",
        "500",
        "--db",
        "postgres://u@127.0.0.1:5432/test",
        "--redis",
        "redis://127.0.0.1:6379",
        "--workers",
        "3",
        "--db-pool-size",
        "4",
        "--db-acquire-timeout",
        "1500",
        "--db-statement-timeout",
        "2500",
        "--realtime-replay-window",
        "60",
        "--realtime-replay-max-events",
        "500",
        "--realtime-max-connections-per-ip",
        "7",
        "--trusted-proxies",
        "10.0.0.0/8, 127.0.0.1,::1",
      ],
      {},
    );
    assert.deepEqual(config, {
      host: "0.0.0.0",
      port: 9000,
      dir: resolve("some/dir"),
      dev: true,
      logLevel: "debug",
      corsOrigins: ["https://a.example", "https://b.example"],
      bodyLimit: 1024,
      synchronous: "FULL",
      shutdownTimeoutMs: 500,
      db: "postgres://u@127.0.0.1:5432/test",
      redis: "redis://127.0.0.1:6379",
      workers: 3,
      dbPoolSize: 4,
      dbAcquireTimeoutMs: 1500,
      dbStatementTimeoutMs: 2500,
      realtimeReplayWindowMs: 60_000,
      realtimeReplayMaxEvents: 500,
      realtimeMaxConnectionsPerIp: 7,
      trustedProxies: ["10.0.0.0/8", "127.0.0.1", "::1"],
    });
  });

  test("reads every PLINTH_ environment variable", () => {
    const config = loadConfig([], {
      PLINTH_HTTP: "[::1]:9001",
      PLINTH_DIR: "/srv/plinth",
      PLINTH_DEV: "yes",
      PLINTH_LOG_LEVEL: "warn",
      PLINTH_ORIGINS: "*",
      PLINTH_BODY_LIMIT: "2048",
      PLINTH_SYNCHRONOUS: "NORMAL",
      PLINTH_SHUTDOWN_TIMEOUT: "750",
      PLINTH_DB: "postgresql://127.0.0.1/test",
      PLINTH_REDIS: "rediss://cache.example:6380",
      PLINTH_WORKERS: "4",
      PLINTH_DB_POOL_SIZE: "20",
      PLINTH_DB_ACQUIRE_TIMEOUT_MS: "800",
      PLINTH_DB_STATEMENT_TIMEOUT_MS: "60000",
      PLINTH_REALTIME_REPLAY_WINDOW: "30",
      PLINTH_REALTIME_REPLAY_MAX_EVENTS: "1000",
      PLINTH_REALTIME_MAX_CONNECTIONS_PER_IP: "9",
      PLINTH_TRUSTED_PROXIES: "192.168.0.1",
    });
    assert.deepEqual(config, {
      host: "::1",
      port: 9001,
      dir: "/srv/plinth",
      dev: true,
      logLevel: "warn",
      corsOrigins: "*",
      bodyLimit: 2048,
      synchronous: "NORMAL",
      shutdownTimeoutMs: 750,
      db: "postgresql://127.0.0.1/test",
      redis: "rediss://cache.example:6380",
      workers: 4,
      dbPoolSize: 20,
      dbAcquireTimeoutMs: 800,
      dbStatementTimeoutMs: 60_000,
      realtimeReplayWindowMs: 30_000,
      realtimeReplayMaxEvents: 1000,
      realtimeMaxConnectionsPerIp: 9,
      trustedProxies: ["192.168.0.1"],
    });
  });

  test("a flag beats its environment variable", () => {
    const config = loadConfig(
      ["--http", "127.0.0.1:1234", "--workers", "2", "--db", "postgres://flag/db", "--redis", "redis://flag"],
      {
        PLINTH_HTTP: "127.0.0.1:4321",
        PLINTH_WORKERS: "5",
        PLINTH_DB: "postgres://env/db",
        PLINTH_REDIS: "redis://env",
      },
    );
    assert.equal(config.port, 1234);
    assert.equal(config.workers, 2);
    assert.equal(config.db, "postgres://flag/db");
    assert.equal(config.redis, "redis://flag");
  });

  test("an empty environment variable counts as unset", () => {
    assert.deepEqual(
      loadConfig([], { PLINTH_HTTP: "", PLINTH_WORKERS: "", PLINTH_DB: "", PLINTH_DEV: "" }),
      DEFAULT_CONFIG,
    );
  });

  test("--http without a host listens on 127.0.0.1", () => {
    const config = loadConfig(["--http", ":8091"], {});
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 8091);
  });

  test("--workers auto is the number of available CPUs", () => {
    assert.equal(loadConfig(["--workers", "auto"], {}).workers, availableParallelism());
    assert.equal(loadConfig([], { PLINTH_WORKERS: "auto" }).workers, availableParallelism());
  });

  test("--workers accepts up to 256", () => {
    assert.equal(loadConfig(["--workers", "256"], {}).workers, 256);
  });

  test("the database pool settings accept their largest values", () => {
    const config = loadConfig(
      [
        "--db-pool-size",
        "1000",
        "--db-acquire-timeout",
        "2147483647",
        "--db-statement-timeout",
        "2147483647",
      ],
      {},
    );
    assert.equal(config.dbPoolSize, 1000);
    assert.equal(config.dbAcquireTimeoutMs, 2_147_483_647);
    assert.equal(config.dbStatementTimeoutMs, 2_147_483_647);
  });

  test("a database pool flag beats its environment variable", () => {
    const config = loadConfig(["--db-pool-size", "3"], { PLINTH_DB_POOL_SIZE: "30" });
    assert.equal(config.dbPoolSize, 3);
  });

  test("leaves positional arguments to positionals()", () => {
    const argv = ["upsert", "a@example.com", "secret", "--dir", "x"];
    assert.equal(loadConfig(argv, {}).dir, resolve("x"));
    assert.deepEqual(positionals(argv), ["upsert", "a@example.com", "secret"]);
  });

  describe("names the setting it cannot use", () => {
    const bad: readonly (readonly [string, string])[] = [
      ["--http", "nonsense"],
      ["--http", "127.0.0.1"],
      ["--http", "127.0.0.1:70000"],
      ["--log-level", "loud"],
      ["--body-limit", "0"],
      ["--body-limit", "-5"],
      ["--body-limit", "1mb"],
      ["--synchronous", "sometimes"],
      ["--shutdown-timeout", "soon"],
      ["--shutdown-timeout", "0"],
      ["--db", "mysql://127.0.0.1/db"],
      ["--db", "not a url"],
      ["--db", "redis://127.0.0.1"],
      ["--redis", "postgres://127.0.0.1/db"],
      ["--redis", "not a url"],
      ["--workers", "0"],
      ["--workers", "abc"],
      ["--workers", "9999"],
      ["--workers", "-1"],
      ["--workers", "2.5"],
      ["--db-pool-size", "0"],
      ["--db-pool-size", "ten"],
      ["--db-pool-size", "1001"],
      ["--db-acquire-timeout", "0"],
      ["--db-acquire-timeout", "5s"],
      ["--db-acquire-timeout", "2147483648"],
      ["--db-statement-timeout", "-1"],
      ["--db-statement-timeout", "2147483648"],
      ["--realtime-replay-window", "0"],
      ["--realtime-replay-window", "5m"],
      ["--realtime-replay-window", "2147484"],
      ["--realtime-replay-max-events", "0"],
      ["--realtime-replay-max-events", "10000001"],
      ["--realtime-max-connections-per-ip", "none"],
      ["--trusted-proxies", "localhost"],
      ["--trusted-proxies", "10.0.0.0/33"],
      ["--trusted-proxies", "300.1.1.1"],
      ["--trusted-proxies", "::1/129"],
    ];
    for (const [flag, value] of bad) {
      test(`${flag} ${value}`, () => {
        rejects([flag, value], {}, flag);
      });
    }
  });

  describe("names the environment variable it cannot use", () => {
    const bad: readonly (readonly [string, string])[] = [
      ["PLINTH_HTTP", "nonsense"],
      ["PLINTH_LOG_LEVEL", "loud"],
      ["PLINTH_BODY_LIMIT", "0"],
      ["PLINTH_SYNCHRONOUS", "sometimes"],
      ["PLINTH_SHUTDOWN_TIMEOUT", "soon"],
      ["PLINTH_DEV", "maybe"],
      ["PLINTH_DB", "mysql://127.0.0.1/db"],
      ["PLINTH_REDIS", "http://127.0.0.1:6379"],
      ["PLINTH_WORKERS", "0"],
      ["PLINTH_WORKERS", "abc"],
      ["PLINTH_WORKERS", "9999"],
      ["PLINTH_DB_POOL_SIZE", "0"],
      ["PLINTH_DB_POOL_SIZE", "5000"],
      ["PLINTH_DB_ACQUIRE_TIMEOUT_MS", "soon"],
      ["PLINTH_DB_STATEMENT_TIMEOUT_MS", "0"],
    ];
    for (const [name, value] of bad) {
      test(`${name}=${value}`, () => {
        rejects([], { [name]: value }, name);
      });
    }
  });

  test("a bad flag wins over a good environment variable and is the one named", () => {
    rejects(["--workers", "abc"], { PLINTH_WORKERS: "2" }, "--workers");
  });

  test("an unknown flag is named", () => {
    rejects(["--wrokers", "2"], {}, "--wrokers");
  });

  test("a flag without its value is named", () => {
    rejects(["--workers"], {}, "--workers");
  });
});
