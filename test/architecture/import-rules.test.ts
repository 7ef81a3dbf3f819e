import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const SRC = resolve(import.meta.dirname, "../../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

interface Import {
  readonly file: string;
  readonly line: number;
  readonly spec: string;
}

function importsOf(file: string): Import[] {
  const out: Import[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      for (const m of text.matchAll(
        /(?:^|\s)(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)|^import\s+["']([^"']+)["']/g,
      )) {
        out.push({ file, line: i + 1, spec: (m[1] ?? m[2] ?? m[3])! });
      }
    });
  return out;
}

/** Top-level layer of a src-relative path: core, services, adapters/<kind>, transports/<t>, ... */
function layerOf(path: string): string {
  const parts = relative(SRC, path).split("/");
  if (parts[0] === "adapters" || parts[0] === "transports") return `${parts[0]}/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : `root:${parts[0]}`;
}

/** Why an import is forbidden, or null when STYLE.md allows it. */
function violation(imp: Import): string | null {
  const from = layerOf(imp.file);
  const isRelative = imp.spec.startsWith(".");
  if (!isRelative) {
    if (
      from === "core" &&
      (imp.spec.startsWith("node:") ||
        ["fastify", "pg", "postgres", "ioredis", "pino"].some(
          (p) => imp.spec === p || imp.spec.startsWith(`${p}/`),
        ))
    ) {
      return "core may not import node:* or I/O libraries";
    }
    if (from === "services" && (imp.spec.startsWith("node:") || imp.spec === "fastify")) {
      return "services may not import node:* or fastify (put I/O behind a port)";
    }
    if (from.startsWith("transports/") && ["pg", "postgres", "ioredis"].includes(imp.spec))
      return "transports may not import drivers";
    return null;
  }
  const target = resolve(dirname(imp.file), imp.spec);
  const to = layerOf(target);
  if (from === to) return null;
  const toTop = to.split("/")[0]!;
  switch (from.split("/")[0]) {
    case "core":
      return "core imports only core";
    case "services":
      return toTop === "core" ? null : `services may import core only, not ${to}`;
    case "adapters":
      return toTop === "core" ? null : `adapters may import core only, not ${to}`;
    case "transports":
      // transports/http is the shared server base every transport plugs into; siblings never import each other
      return toTop === "core" || toTop === "services" || to === "transports/http"
        ? null
        : `transports may import services, core and transports/http only, not ${to}`;
    case "config":
      return toTop === "core" ? null : `config may import core only, not ${to}`;
    case "cli":
      // copy-deployment.ts is composition-level like plinth.ts: it opens both stores for `plinth copy`
      return ["config", "core", "services", "root:plinth.ts", "root:copy-deployment.ts"].includes(toTop)
        ? null
        : `cli may not import ${to}`;
    default:
      return null; // root files (plinth.ts, index.ts) are the composition root
  }
}

/** A cross-folder import must go through the folder's index.ts. */
function bypassesIndex(imp: Import): boolean {
  if (!imp.spec.startsWith(".")) return false;
  const from = layerOf(imp.file);
  const target = resolve(dirname(imp.file), imp.spec);
  const to = layerOf(target);
  if (from === to || to === "core" || to.startsWith("root:")) return false;
  return !target.endsWith("/index.ts");
}

test("every import follows the layer rules of STYLE.md", () => {
  const problems = filesUnder(SRC)
    .flatMap(importsOf)
    .flatMap((imp) => {
      const why = violation(imp);
      return why ? [`${relative(SRC, imp.file)}:${imp.line} → ${imp.spec} (${why})`] : [];
    });
  assert.deepEqual(problems, []);
});

test("cross-folder imports go through the folder's index.ts", () => {
  const problems = filesUnder(SRC)
    .flatMap(importsOf)
    .filter(bypassesIndex)
    .map((imp) => `${relative(SRC, imp.file)}:${imp.line} → ${imp.spec}`);
  assert.deepEqual(problems, []);
});

test("process.env is read only in config/", () => {
  const problems = filesUnder(SRC)
    .filter((f) => !relative(SRC, f).startsWith("config/"))
    .filter((f) => readFileSync(f, "utf8").includes("process.env"))
    .map((f) => relative(SRC, f));
  assert.deepEqual(problems, []);
});
