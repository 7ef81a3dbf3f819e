import type { RealtimeRun, RealtimeSection, RealtimeSkippedRun, Skipped } from "./report.ts";

const num = (v: number | undefined, digits = 0): string => (v === undefined ? "—" : v.toFixed(digits));
const mb = (kb: number | undefined): string => (kb === undefined ? "—" : `${(kb / 1024).toFixed(1)} MB`);
const count = (v: number): string => v.toLocaleString("en");
const isRun = (r: RealtimeRun | RealtimeSkippedRun): r is RealtimeRun => !("skipped" in r);

function fanOutTable(section: RealtimeSection, runs: readonly RealtimeRun[]): string[] {
  const t = section.targets;
  const lines = [
    `| case | held / asked | creates/s × s | deliveries | missing | conn. errors | p50 ms | p99 ms | max ms | deliveries/s | harness cores (µs/delivery) | server cores (µs/delivery) | p99 ≤ ${t.p99Ms} ms | ${count(t.held)} held |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const r of runs) {
    const server =
      r.writerServerCores === undefined
        ? `${num(r.cpu?.serverCores, 2)} (${num(r.serverUsPerDelivery, 1)})`
        : `B ${num(r.cpu?.serverCores, 2)} (${num(r.serverUsPerDelivery, 1)}), A ${num(r.writerServerCores, 2)}`;
    lines.push(
      `| ${r.title} | ${count(r.heldToEnd)} / ${count(r.subscribers)} | ${r.ratePerSec} × ${r.measuredSec} | ` +
        `${count(r.deliveries)} | ${count(r.missing)} | ${count(r.connectionErrors)} | ${num(r.p50Ms, 1)} | ` +
        `${num(r.p99Ms, 1)} | ${num(r.maxMs, 1)} | ${num(r.deliveriesPerSec)} | ` +
        `${num(r.cpu?.loadGeneratorCores, 2)} (${num(r.harnessUsPerDelivery, 1)}) | ` +
        `${server} | ${r.verdicts.latency} | ${r.verdicts.held} |`,
    );
  }
  return lines;
}

function memoryTable(section: RealtimeSection, runs: readonly RealtimeRun[]): string[] {
  const judged = runs.filter((r) => r.verdicts.memory !== "—");
  if (judged.length === 0) return [];
  const lines = [
    "",
    "Memory per idle subscribed connection (server `VmRSS`, settled, before any event of the run):",
    "",
    `| case | RSS, 0 connections | RSS, N connections | per connection | target | result |`,
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const r of judged) {
    const m = r.memory;
    lines.push(
      `| ${r.title} | ${mb(m?.zeroKb)} | ${mb(m?.withConnectionsKb)} (${count(r.heldToEnd)}) | ` +
        `${num(m?.perConnectionKib, 1)} KiB | ≤ ${section.targets.perConnectionKib} KiB | ${r.verdicts.memory} |`,
    );
  }
  return lines;
}

function rulesLines(runs: readonly RealtimeRun[]): string[] {
  const same = runs.find((r) => r.id === "rule-same");
  const distinct = runs.find((r) => r.id === "rule-distinct");
  const shapes = runs.find((r) => r.id === "rule-shapes");
  if (same === undefined || distinct === undefined) return [];
  const ratio = (r: RealtimeRun) =>
    same.p99Ms !== undefined && r.p99Ms !== undefined && same.p99Ms > 0
      ? ` (p99 ${(r.p99Ms / same.p99Ms).toFixed(2)}× the one-rule case)`
      : "";
  const lines = [
    "",
    `Rules: these cases use ${same.users} user (every subscriber carries the same token); one rule shape with ` +
      `the same parameters gives ${same.distinctTopics} condition per event, the filtered case ` +
      `${distinct.distinctTopics} distinct conditions of one shape (rule + \`n != K\`, K = 0…${distinct.distinctTopics - 1}), ` +
      `tested together in one statement. p99 ${num(same.p99Ms, 1)} → ${num(distinct.p99Ms, 1)} ms${ratio(distinct)}, ` +
      `${num(same.deliveriesPerSec)} → ${num(distinct.deliveriesPerSec)} deliveries/s.`,
  ];
  if (shapes !== undefined)
    lines.push(
      "",
      `With ${shapes.distinctTopics} filters of as many distinct shapes (1–10 \`n\` terms × 1–10 \`title\` terms): ` +
        `p99 ${num(shapes.p99Ms, 1)} ms${ratio(shapes)}, ${num(shapes.deliveriesPerSec)} deliveries/s.`,
    );
  return lines;
}

/** The realtime section as markdown lines (a heading, the tables, skipped cases and errors). */
export function realtimeLines(section: RealtimeSection | Skipped): string[] {
  const lines = ["", "## Realtime", ""];
  if ("skipped" in section) return [...lines, `**Skipped:** ${section.skipped}`];
  const runs = section.runs.filter(isRun);
  lines.push(
    `Each case on a fresh \`plinth serve\` (SQLite unless noted). Subscribers run in ${section.subscribersIn}; ` +
      `they connect in batches of ${section.setup.batch} (${section.setup.pauseMs} ms apart, not measured), ` +
      `then records are created at a steady rate for ${section.measuredSec} s. Latency = arrival at the ` +
      "subscriber − just before the create's POST, for every delivery; deliveries/s = deliveries ÷ (last " +
      "delivery − first POST). Every subscriber must get every event (missing = 0). " +
      `Open-file limit: ${section.openFileLimit ?? "unknown"}.`,
  );
  if (runs.length > 0)
    lines.push(
      "",
      ...fanOutTable(section, runs),
      "",
      "The write path's share of the latency, create POST p50 / p99 (send → 2xx): " +
        runs.map((r) => `${r.id} ${num(r.createP50Ms, 1)} / ${num(r.createP99Ms, 1)} ms`).join(", ") +
        ". The slowest event's last delivery, ms after its POST: " +
        runs.map((r) => `${r.id} ${num(r.slowestEvent?.lastDeliveryMs, 1)}`).join(", ") +
        ".",
      ...memoryTable(section, runs),
      ...rulesLines(runs),
    );
  const busy = runs.filter((r) => (r.cpu?.loadGeneratorCores ?? 0) > 0.8);
  if (busy.length > 0)
    lines.push(
      "",
      `The harness was busy (> 0.8 core) in ${busy.map((r) => r.id).join(", ")}: there its latencies include ` +
        "time spent waiting for the harness's own event loop.",
    );
  const skipped = section.runs.filter((r): r is RealtimeSkippedRun => !isRun(r));
  if (skipped.length > 0) lines.push("", "Skipped:", ...skipped.map((r) => `- ${r.title}: ${r.skipped}`));
  const errors = runs.filter((r) => r.error !== undefined);
  if (errors.length > 0)
    lines.push("", "Errors:", ...errors.map((r) => `- ${r.id}: ${r.error?.replace(/\s+/g, " ")}`));
  return lines;
}
