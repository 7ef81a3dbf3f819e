import type { Collection } from "../../core/collections/collection.ts";
import { isPlinthError } from "../../core/errors.ts";
import type { ResolvedFilter } from "../../core/filter/index.ts";
import type { RecordRow, StoreSession } from "../../core/ports.ts";
import type { AuthInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import { type RealtimeClient, subscriberRequest } from "./realtime-client.ts";
import type { Subscription } from "./subscriptions.ts";

/** One message for one client: the subscription it is for, and its JSON. */
export type Delivery = readonly [client: RealtimeClient, topic: string, data: string];

/** Rule and filter text that reads the clock must be resolved afresh for every event. */
const READS_CLOCK = /@(now|second|minute|hour|weekday|day|month|year|today|yesterday|tomorrow)/i;

interface Resolved {
  readonly collection: Collection;
  readonly auth: AuthInfo | null;
  readonly conditions: ResolvedFilter[] | null;
  /** Equal keys mean equal conditions: tested once for every subscriber that shares them. */
  readonly key: string;
}

/**
 * Decides which subscribers see a record event, in batches: every subscriber's rule and filter are
 * resolved to conditions (cached until its auth or the schema changes), subscribers with equal
 * conditions share one test, and the store tests all of them in one statement, with one column per
 * condition shape (conditions alike but for their values, such as an owner rule under many users,
 * share one). So the database work per event grows with the number of distinct rules in use, not
 * with subscribers.
 */
export function createRecordMatcher(records: RecordService) {
  let resolved = new WeakMap<Subscription, Resolved>();
  const shapeKeys = new WeakMap<Subscription, { auth: RealtimeClient["auth"]; key: string }>();

  function resolve(client: RealtimeClient, sub: Subscription, c: Collection): Resolved {
    const cached = resolved.get(sub);
    if (cached !== undefined && cached.collection === c && cached.auth === client.auth) return cached;
    const rule = sub.target === "*" ? "list" : "view";
    const conditions = records.visibilityConditions(subscriberRequest(client, sub), c, {
      rule,
      filter: sub.query["filter"],
    });
    const entry: Resolved = {
      collection: c,
      auth: client.auth,
      conditions,
      key: conditions === null ? "" : JSON.stringify(conditions),
    };
    const text = `${(rule === "list" ? c.listRule : c.viewRule) ?? ""} ${sub.query["filter"] ?? ""}`;
    if (!READS_CLOCK.test(text)) resolved.set(sub, entry);
    return entry;
  }

  return {
    /** Forgets resolved conditions (the schema changed: rules may have). */
    reset(): void {
      resolved = new WeakMap();
    },

    /**
     * The messages `action` on record `id` produces for `subscribers`, checked against the record as
     * `session` has it now and shaped as the REST API would return it to each. "missing" when the
     * record is not there (and someone could have seen it).
     */
    async deliveries(
      action: string,
      c: Collection,
      id: string,
      subscribers: readonly (readonly [RealtimeClient, Subscription])[],
      session: StoreSession,
    ): Promise<Delivery[] | "missing"> {
      const groups = new Map<
        string,
        { conditions: ResolvedFilter[]; members: [RealtimeClient, Subscription][] }
      >();
      for (const [client, sub] of subscribers) {
        const r = resolve(client, sub, c);
        if (r.conditions === null) continue;
        let group = groups.get(r.key);
        if (group === undefined) groups.set(r.key, (group = { conditions: r.conditions, members: [] }));
        group.members.push([client, sub]);
      }
      const all = [...groups.values()];
      if (all.length === 0) return []; // nobody here may see records of this collection
      const result = await session.matchRecord(
        c,
        id,
        all.map((g) => g.conditions),
      );
      if (result === null) return "missing";
      const visible: [RealtimeClient, Subscription][] = [];
      for (const [j, g] of all.entries()) if (result.matches[j]) visible.push(...g.members);
      return shapeFor(action, c, result.row, visible, session);
    },
  };

  /** What shaping a record depends on for this subscriber (its auth, the subscription's options). */
  function shapeKey(client: RealtimeClient, sub: Subscription): string {
    const cached = shapeKeys.get(sub);
    if (cached !== undefined && cached.auth === client.auth) return cached.key;
    const auth =
      client.auth === null ? "" : `${client.auth.collectionId}/${String(client.auth.record["id"])}`;
    const key = JSON.stringify([auth, sub.query, sub.headers]);
    shapeKeys.set(sub, { auth: client.auth, key });
    return key;
  }

  /**
   * Shapes the record once per distinct view of it (auth, expand, fields, rule inputs). A
   * subscription whose `fields` or `expand` cannot be applied gets nothing, as one whose filter does
   * not parse: one subscriber's options never stop the others' events (nor, for a delete checked in
   * its transaction, the delete).
   */
  async function shapeFor(
    action: string,
    c: Collection,
    row: RecordRow,
    visible: readonly [RealtimeClient, Subscription][],
    session: StoreSession,
  ): Promise<Delivery[]> {
    const shaped = new Map<string, string | null>();
    const out: Delivery[] = [];
    for (const [client, sub] of visible) {
      const key = shapeKey(client, sub);
      let data = shaped.get(key);
      if (data === undefined) {
        try {
          const record = await records.shapeAs(
            subscriberRequest(client, sub),
            c,
            row,
            { expand: sub.query["expand"], fields: sub.query["fields"] },
            session,
          );
          data = JSON.stringify({ action, record });
        } catch (err) {
          if (!isPlinthError(err)) throw err;
          data = null; // invalid options of this subscription
        }
        shaped.set(key, data);
      }
      if (data !== null) out.push([client, sub.name, data]);
    }
    return out;
  }
}

/** The matcher's type. */
export type RecordMatcher = ReturnType<typeof createRecordMatcher>;
