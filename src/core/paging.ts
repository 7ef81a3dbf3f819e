/** PocketBase's paging defaults and bounds. */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

/** Normalizes `page` and `perPage` as PocketBase does: page ≥ 1; perPage defaults to 30 when missing or ≤ 0, capped at 1000. */
export function normalizePaging(
  page: number | undefined,
  perPage: number | undefined,
): { page: number; perPage: number } {
  const p = Math.max(1, Math.floor(page ?? 1) || 1);
  let size = Math.floor(perPage ?? DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE;
  if (size <= 0) size = DEFAULT_PER_PAGE;
  return { page: p, perPage: Math.min(size, MAX_PER_PAGE) };
}
