import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Where the CPU time went during one measured run, in cores (CPU seconds ÷ wall seconds). */
export interface CpuSplit {
  readonly wallSec: number;
  /** Every core of the machine that was not idle (/proc/stat). */
  readonly machineCores: number;
  /** The harness process: autocannon (the load generator) runs in it. */
  readonly loadGeneratorCores: number;
  /** The server under test: its process and every descendant (`--workers` primary + workers). */
  readonly serverCores: number;
  /** Server processes counted (1, or 1 primary + N workers). */
  readonly serverProcesses: number;
  /** The rest: PostgreSQL's backends, other jobs on the machine. */
  readonly otherCores: number;
}

/** A meter started before a run; `stop` returns the split, or undefined where /proc is unavailable. */
export interface CpuMeter {
  stop(): CpuSplit | undefined;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Busy ticks of the whole machine: everything in the `cpu` line but idle and iowait. */
function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  } catch {
    return undefined;
  }
}

/** `pid`'s stat fields after the parenthesised command name (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** `pid` and all its descendants, found by each process's parent id. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [root];
  }
  for (const e of entries) {
    const ppid = Number(statFields(Number(e))?.[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const visit = (pid: number): void => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return out;
}

/** utime + stime (ticks) of each process. */
function processTicks(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const f = statFields(pid);
    // fields 14 and 15 of /proc/<pid>/stat; f[0] is field 3
    if (f !== undefined) out.set(pid, Number(f[11]) + Number(f[12]));
  }
  return out;
}

/** Starts measuring the CPU used by the machine, this process and the server tree rooted at `serverPid`. */
export function startCpuMeter(serverPid: number): CpuMeter {
  const t0 = performance.now();
  const machine0 = machineBusyTicks();
  const self0 = process.cpuUsage();
  const server0 = processTicks(processTree(serverPid));
  return {
    stop() {
      const machine1 = machineBusyTicks();
      const self = process.cpuUsage(self0);
      const server1 = processTicks(processTree(serverPid));
      const wallSec = (performance.now() - t0) / 1000;
      if (machine0 === undefined || machine1 === undefined || server1.size === 0 || wallSec <= 0)
        return undefined;
      const hz = ticksPerSecond();
      let serverTicks = 0;
      for (const [pid, ticks] of server1) serverTicks += ticks - (server0.get(pid) ?? 0);
      const machineCores = (machine1 - machine0) / hz / wallSec;
      const loadGeneratorCores = (self.user + self.system) / 1e6 / wallSec;
      const serverCores = serverTicks / hz / wallSec;
      return {
        wallSec,
        machineCores,
        loadGeneratorCores,
        serverCores,
        serverProcesses: server1.size,
        otherCores: Math.max(0, machineCores - loadGeneratorCores - serverCores),
      };
    },
  };
}
