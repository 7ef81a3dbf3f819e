/** What rules and filters may read about the current request (`@request.*`). */
export interface RequestInfo {
  /** The authenticated record (all its fields, hidden ones included) or null for a guest. */
  readonly auth: AuthInfo | null;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** `default`, `realtime`, `protectedFile`, `oauth2`, `otp`, `password`, ... */
  readonly context: string;
  /** Header names lower-cased with `-` replaced by `_`, as PocketBase exposes them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters (first value of each). */
  readonly query: Readonly<Record<string, string>>;
  /** The submitted body (after modifiers are applied, as PocketBase does for rules). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** The authenticated record behind a request. */
export interface AuthInfo {
  readonly collectionId: string;
  readonly collectionName: string;
  readonly record: Readonly<Record<string, unknown>>;
}

/** Whether the request is made by a superuser. */
export function isSuperuser(info: RequestInfo): boolean {
  return info.auth?.collectionName === "_superusers";
}

/** A guest request with no body, for internal calls. */
export function guestRequest(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return { auth: null, method: "GET", context: "default", headers: {}, query: {}, body: {}, ...overrides };
}
