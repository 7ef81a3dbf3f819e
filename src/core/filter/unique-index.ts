/** Whether the index list has a UNIQUE index on exactly `column` (PocketBase's FindSingleColumnUniqueIndex). */
export function hasSingleColumnUniqueIndex(indexes: readonly string[], column: string): boolean {
  for (const sql of indexes) {
    const m = /^\s*create\s+unique\s+index\b[^(]*\(([^)]*)\)/is.exec(sql);
    if (!m) continue;
    const cols = m[1]!.split(",");
    if (cols.length !== 1) continue;
    const name = cols[0]!
      .trim()
      .split(/\s+/)[0]!
      .replace(/^[`"[]|[`"\]]$/g, "");
    if (name.toLowerCase() === column.toLowerCase()) return true;
  }
  return false;
}
