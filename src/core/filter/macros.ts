import { formatDateTime } from "../clock.ts";
import type { ParamValue } from "./ir.ts";

const DAY = 86_400_000;

/** PocketBase's datetime identifier macros, evaluated in UTC against `now`. */
export const DATETIME_MACROS: Readonly<Record<string, (now: Date) => ParamValue>> = {
  "@now": (now) => formatDateTime(now),
  "@yesterday": (now) => formatDateTime(new Date(now.getTime() - DAY)),
  "@tomorrow": (now) => formatDateTime(new Date(now.getTime() + DAY)),
  "@second": (now) => now.getUTCSeconds(),
  "@minute": (now) => now.getUTCMinutes(),
  "@hour": (now) => now.getUTCHours(),
  "@day": (now) => now.getUTCDate(),
  "@month": (now) => now.getUTCMonth() + 1,
  "@weekday": (now) => now.getUTCDay(),
  "@year": (now) => now.getUTCFullYear(),
  "@todayStart": (now) => formatDateTime(utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 0)),
  "@todayEnd": (now) => formatDateTime(utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 999)),
  "@monthStart": (now) => formatDateTime(utc(now.getUTCFullYear(), now.getUTCMonth(), 1, 0)),
  // day 0 of the next month is the last day of this one
  "@monthEnd": (now) => formatDateTime(utc(now.getUTCFullYear(), now.getUTCMonth() + 1, 0, 999)),
  "@yearStart": (now) => formatDateTime(utc(now.getUTCFullYear(), 0, 1, 0)),
  "@yearEnd": (now) => formatDateTime(utc(now.getUTCFullYear(), 11, 31, 999)),
};

// start of day (ms = 0) or its last millisecond (ms = 999: PocketBase's 23:59:59.999999999 shown as .999)
function utc(year: number, month: number, day: number, ms: 0 | 999): Date {
  return ms === 0
    ? new Date(Date.UTC(year, month, day))
    : new Date(Date.UTC(year, month, day, 23, 59, 59, 999));
}
