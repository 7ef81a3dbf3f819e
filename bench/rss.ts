import { readFileSync } from "node:fs";

/** Resident set size of a process in KiB from /proc/<pid>/status, or undefined when unavailable. */
export function readRssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A running RSS sampler; `stop` returns the peak seen (KiB) and the sample count. */
export interface RssSampler {
  stop(): { peakKb: number | undefined; samples: number };
}

/** Samples VmRSS of `pid` every `intervalMs` until stopped. */
export function startRssSampler(pid: number, intervalMs = 200): RssSampler {
  let peak: number | undefined;
  let samples = 0;
  const sample = (): void => {
    const kb = readRssKb(pid);
    if (kb === undefined) return;
    samples++;
    if (peak === undefined || kb > peak) peak = kb;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakKb: peak, samples };
    },
  };
}
