/** What one batch entry asks for; PocketBase accepts only these four record writes in a batch. */
export type BatchAction =
  | { readonly kind: "create"; readonly collection: string; readonly query: Readonly<Record<string, string>> }
  | { readonly kind: "upsert"; readonly collection: string; readonly query: Readonly<Record<string, string>> }
  | {
      readonly kind: "update";
      readonly collection: string;
      readonly id: string;
      readonly query: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: "delete";
      readonly collection: string;
      readonly id: string;
      readonly query: Readonly<Record<string, string>>;
    };

// Path segments stop at `/` and `?`, as in PocketBase's batch routes; the rest is the query string.
const RECORDS = /^\/api\/collections\/([^/?]+)\/records(\?.*)?$/;
const RECORD = /^\/api\/collections\/([^/?]+)\/records\/([^/?]+)(\?.*)?$/;

/** Query parameters, first value of each (as RequestInfo exposes them). */
function parseQuery(search: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (search === undefined) return out;
  for (const [key, value] of new URLSearchParams(search.slice(1)))
    if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}

/** Matches `METHOD url` against the supported batch actions; null for anything else (a 400 for that entry). */
export function matchBatchAction(method: string, url: string): BatchAction | null {
  const upper = method.toUpperCase();
  if (upper === "POST" || upper === "PUT") {
    const m = RECORDS.exec(url);
    if (m === null) return null;
    return { kind: upper === "PUT" ? "upsert" : "create", collection: m[1]!, query: parseQuery(m[2]) };
  }
  if (upper === "PATCH" || upper === "DELETE") {
    const m = RECORD.exec(url);
    if (m === null) return null;
    return {
      kind: upper === "PATCH" ? "update" : "delete",
      collection: m[1]!,
      id: m[2]!,
      query: parseQuery(m[3]),
    };
  }
  return null;
}
