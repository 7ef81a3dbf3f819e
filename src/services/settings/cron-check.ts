const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** minute, hour, day of month, month, day of week. */
const BOUNDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function integer(text: string): number | null {
  return /^[+-]?[0-9]+$/.test(text) ? Number(text) : null;
}

function segmentProblem(segment: string, lo: number, hi: number): string | null {
  for (const part of segment.split(",")) {
    const stepParts = part.split("/");
    if (stepParts.length > 2) return "Invalid segment step format - must be in the format */n or 1-30/n.";
    let step = 1;
    if (stepParts.length === 2) {
      const parsed = integer(stepParts[1]!);
      if (parsed === null) return `Invalid step value ${JSON.stringify(stepParts[1])}.`;
      if (parsed < 1 || parsed > hi)
        return `Invalid segment step boundary - the step must be between 1 and the ${hi}.`;
      step = parsed;
    }
    const range = stepParts[0]!;
    if (range === "*") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return "Invalid segment range format - the range must have 1 or 2 parts.";
    const first = integer(bounds[0]!);
    if (first === null) return `Invalid segment value ${JSON.stringify(bounds[0])}.`;
    if (bounds.length === 1) {
      if (step !== 1)
        return "Invalid segment step - step > 1 could be used only with the wildcard or range format.";
      if (first < lo || first > hi)
        return "Invalid segment value - must be between the min and max of the segment.";
      continue;
    }
    if (first < lo || first > hi) return `Invalid segment range minimum - must be between ${lo} and ${hi}.`;
    const last = integer(bounds[1]!);
    if (last === null) return `Invalid segment value ${JSON.stringify(bounds[1])}.`;
    if (last < first || last > hi)
      return `Invalid segment range maximum - must be between ${first} and ${hi}.`;
  }
  return null;
}

/**
 * Checks a cron expression with the grammar PocketBase's scheduler accepts (five space-separated
 * segments of `*`, `n`, `a-b`, `*` or `a-b` with `/step`, comma lists; or a macro such as `@daily`).
 * Returns the problem in words, or null when valid.
 */
export function cronProblem(expression: string): string | null {
  const segments = (MACROS[expression] ?? expression).split(" ");
  if (segments.length !== 5) {
    return "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments.";
  }
  for (let i = 0; i < 5; i++) {
    const [lo, hi] = BOUNDS[i]!;
    const problem = segmentProblem(segments[i]!, lo, hi);
    if (problem !== null) return problem;
  }
  return null;
}
