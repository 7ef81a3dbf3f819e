/**
 * Datetime values as PocketBase stores and returns them (`2006-01-02 15:04:05.000Z`, UTC, "" for none),
 * read from the layouts PocketBase accepts (its own, RFC 3339 and the common ISO-like ones).
 */

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?: ?(Z|[+-]\d{2}:?\d{2})(?: [A-Za-z]{1,5})?)?)?$/;

const RFC1123 =
  /^(?:[A-Za-z]{3}, )?(\d{2}) ([A-Za-z]{3}) (\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?(?: ([+-]\d{4}|UTC|GMT|Z))?)?$/;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Go's zero time (0001-01-01 00:00:00 UTC) reads back as "no date". */
const GO_ZERO_TIME_MS = -62_135_596_800_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offsetMinutes: number;
}

function toEpochMs(p: Parts): number | null {
  if (p.month < 1 || p.month > 12) return null;
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return null;
  if (p.hour > 23 || p.minute > 59 || p.second > 59) return null;
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, p.millis);
  return d.getTime() - p.offsetMinutes * 60_000;
}

function parseOffset(text: string | undefined): number | null {
  if (text === undefined || text === "Z" || text === "UTC" || text === "GMT") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}

function parseIsoLike(text: string): number | null {
  const m = ISO_LIKE.exec(text);
  if (!m) return null;
  const offset = parseOffset(m[9]);
  if (offset === null) return null;
  // Go's layouts keep fractional seconds; the stored form truncates them to milliseconds.
  const fraction = (m[8] ?? "").slice(0, 3).padEnd(3, "0");
  return toEpochMs({
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[5] ?? 0),
    minute: Number(m[6] ?? 0),
    second: Number(m[7] ?? 0),
    millis: Number(fraction),
    offsetMinutes: offset,
  });
}

function parseRfc1123(text: string): number | null {
  const m = RFC1123.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf((m[2] ?? "").toLowerCase()) + 1;
  const offset = parseOffset(m[7]);
  if (month === 0 || offset === null) return null;
  return toEpochMs({
    year: Number(m[3]),
    month,
    day: Number(m[1]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millis: 0,
    offsetMinutes: offset,
  });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Formats epoch milliseconds as `2006-01-02 15:04:05.000Z`. */
export function formatEpochMs(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}

/** Epoch milliseconds of a datetime text in any accepted layout, or null when it is not one. */
export function parseDateTimeMs(text: string): number | null {
  const ms = parseIsoLike(text) ?? parseRfc1123(text);
  if (ms === null || Number.isNaN(ms)) return null;
  return ms;
}

/**
 * PocketBase's `types.ParseDateTime` as used by date fields: a string in an accepted layout becomes the
 * stored UTC form; anything else (unparseable text, numbers, booleans, objects) becomes "" (no date).
 */
export function toDateTimeString(value: unknown): string {
  if (typeof value !== "string" || value === "") return "";
  const ms = parseDateTimeMs(value);
  if (ms === null || ms === GO_ZERO_TIME_MS) return "";
  return formatEpochMs(ms);
}

/** Renders a stored datetime the way Go prints a `time.Time` in messages (`2006-01-02 15:04:05 +0000 UTC`). */
export function goTimeString(stored: string): string {
  const ms = parseDateTimeMs(stored);
  if (ms === null) return stored;
  const text = formatEpochMs(ms);
  const millis = text.slice(20, 23).replace(/0+$/, "");
  return `${text.slice(0, 19)}${millis === "" ? "" : `.${millis}`} +0000 UTC`;
}
