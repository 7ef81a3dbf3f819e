import type { Bus } from "../../core/bus.ts";
import { BUS_MAX_MESSAGE_BYTES } from "../../core/bus.ts";
import { PlinthError } from "../../core/errors.ts";
import type { Store } from "../../core/ports.ts";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import type { SchemaCache } from "../schema-cache.ts";
import type { ChannelSettings, Settings } from "../settings/index.ts";
import type { RealtimeClient } from "./realtime-client.ts";

/** Subscriptions that name a channel start with this; the rest is the channel's name. */
export const CHANNEL_PREFIX = "@";
/** Bounds that keep every channel message inside one bus message. */
export const MAX_EVENT_NAME_LENGTH = 100;
export const MAX_BROADCAST_BYTES = 4_096;
export const MAX_PRESENCE_STATE_BYTES = 1_024;
export const MAX_JOINS_PER_CLIENT = 50;
export const MAX_MEMBERS_PER_CHANNEL = 10_000;
/** Each instance repeats its members this often; another instance's members not repeated for 3 periods leave. */
const PRESENCE_REFRESH_MS = 10_000;

/**
 * Who is in a channel, as clients see it. `id` is the connection's presence id, never its client id:
 * the client id is what a connection's own requests are made with, so it is never shown to others.
 */
export interface PresenceMember {
  readonly id: string;
  readonly auth: { readonly collectionName: string; readonly id: string } | null;
  readonly state: unknown;
}

interface HeldMember extends PresenceMember {
  readonly origin: string;
  seenAt: number;
}

/** Channel messages between instances. */
type ChannelMessage =
  | {
      t: "bc";
      o: string;
      ch: string;
      ev: string;
      d: unknown;
      from: PresenceMember["auth"];
      pid: string | null;
    }
  | { t: "pr"; o: string; ch: string; a: "join" | "update" | "leave"; m: PresenceMember }
  | { t: "pr-sync"; o: string; ch: string; ms: PresenceMember[] };

export interface ChannelDeps {
  readonly settings: () => Promise<Settings>;
  readonly schema: SchemaCache;
  readonly records: RecordService;
  readonly store: Store;
  readonly bus: Bus;
  readonly channel: string;
  readonly origin: string;
  readonly log: { warn(obj: object, msg: string): void };
  /** The local clients, to deliver to. */
  readonly clients: () => Iterable<RealtimeClient>;
}

function publicAuth(auth: AuthInfo | null): PresenceMember["auth"] {
  return auth === null ? null : { collectionName: auth.collectionName, id: String(auth.record["id"]) };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/** The channel definition `name` falls under, with the segments its `*`s matched. */
export function findChannel(
  channels: readonly ChannelSettings[],
  name: string,
): { def: ChannelSettings; params: string[] } | undefined {
  const exact = channels.find((c) => c.name === name);
  if (exact !== undefined) return { def: exact, params: [] };
  const parts = name.split("/");
  for (const def of channels) {
    const pattern = def.name.split("/");
    if (pattern.length !== parts.length) continue;
    const params: string[] = [];
    if (pattern.every((p, i) => (p === "*" ? params.push(parts[i]!) > 0 : p === parts[i])))
      return { def, params };
  }
  return undefined;
}

/**
 * Broadcast channels and presence: messages that are not records (typing, cursors, custom events)
 * and who is in a channel. Channels are declared in `settings.realtime.channels`, each with a listen
 * and a publish rule checked against the caller's own auth record. Everything travels over the bus,
 * so listeners on any instance get it; presence is repeated by its instance every 10 s, so members of
 * an instance that died leave within 30 s.
 */
export function createChannels(deps: ChannelDeps) {
  /** Channel name → presence id → member, for members on every instance. */
  const presence = new Map<string, Map<string, HeldMember>>();

  async function definition(name: string) {
    if (name.length === 0 || name.length > 255 || /[\s\r\n]/.test(name))
      throw new PlinthError("invalid_input", "Invalid channel name.");
    const found = findChannel((await deps.settings()).realtime.channels, name);
    if (found === undefined) throw new PlinthError("not_found", `Unknown channel "${name}".`);
    return found;
  }

  /** Whether `auth` passes `rule` for the channel: evaluated on the caller's own auth record. */
  async function allowed(rule: string | null, auth: AuthInfo | null, name: string, params: string[]) {
    if (auth?.collectionName === "_superusers") return true;
    if (rule === null) return false;
    if (rule.trim() === "") return true;
    if (auth === null) return false;
    const c = deps.schema.byNameOrId(auth.collectionId);
    if (c === undefined) return false;
    const query: Record<string, string> = { channel: name };
    params.forEach((p, i) => {
      query[`param${i + 1}`] = p;
    });
    const request: RequestInfo = { auth, method: "GET", context: "realtime", headers: {}, query, body: {} };
    const conditions = deps.records.ruleConditions(request, c, rule);
    if (conditions === null) return false;
    const result = await deps.store.matchRecord(c, String(auth.record["id"]), [conditions]);
    return result?.matches[0] === true;
  }

  async function check(kind: "listen" | "publish", name: string, auth: AuthInfo | null) {
    const { def, params } = await definition(name);
    const rule = kind === "listen" ? def.listenRule : def.publishRule;
    if (!(await allowed(rule, auth, name, params)))
      throw new PlinthError(
        "forbidden",
        `Not allowed to ${kind === "listen" ? "listen to" : "publish on"} channel "${name}".`,
      );
    return def;
  }

  function deliverLocal(name: string, data: string): void {
    const topic = CHANNEL_PREFIX + name;
    for (const client of deps.clients()) {
      const grant = client.channels.get(name);
      if (grant === undefined) continue;
      // a connection whose auth changed since it was allowed to listen stops hearing the channel
      if (grant !== client.auth) {
        client.channels.delete(name);
        continue;
      }
      try {
        client.sink.event(topic, data);
      } catch (err) {
        deps.log.warn({ err, clientId: client.id }, "realtime client could not be written to");
      }
    }
  }

  function send(message: ChannelMessage): void {
    const text = JSON.stringify(message);
    if (Buffer.byteLength(text) > BUS_MAX_MESSAGE_BYTES) return; // bounded by the size checks; never expected
    deps.bus.publish(deps.channel, text).catch((err: unknown) => {
      deps.log.warn({ err }, "realtime could not tell other instances of a channel message");
    });
  }

  function membersOf(name: string): Map<string, HeldMember> {
    let members = presence.get(name);
    if (members === undefined) presence.set(name, (members = new Map()));
    return members;
  }

  function presenceEvent(name: string, action: "join" | "update" | "leave", m: PresenceMember): void {
    const member: PresenceMember = { id: m.id, auth: m.auth, state: m.state };
    deliverLocal(name, JSON.stringify({ type: "presence", action, member }));
  }

  function snapshot(name: string): PresenceMember[] {
    return [...(presence.get(name)?.values() ?? [])].map((m) => ({ id: m.id, auth: m.auth, state: m.state }));
  }

  function removeMember(name: string, id: string): void {
    const members = presence.get(name);
    const member = members?.get(id);
    if (members === undefined || member === undefined) return;
    members.delete(id);
    if (members.size === 0) presence.delete(name);
    presenceEvent(name, "leave", member);
  }

  /** Repeats this instance's members, and lets other instances' members that were not repeated go. */
  const refresh = setInterval(() => {
    const now = Date.now();
    for (const [name, members] of presence) {
      const own: PresenceMember[] = [];
      for (const m of members.values()) {
        if (m.origin === deps.origin) own.push({ id: m.id, auth: m.auth, state: m.state });
        else if (now - m.seenAt > 3 * PRESENCE_REFRESH_MS) removeMember(name, m.id);
      }
      // in pieces that each fit a bus message
      let batch: PresenceMember[] = [];
      let bytes = 0;
      for (const m of own) {
        const size = jsonBytes(m);
        if (bytes + size > BUS_MAX_MESSAGE_BYTES - 1_000 && batch.length > 0) {
          send({ t: "pr-sync", o: deps.origin, ch: name, ms: batch });
          batch = [];
          bytes = 0;
        }
        batch.push(m);
        bytes += size;
      }
      if (batch.length > 0) send({ t: "pr-sync", o: deps.origin, ch: name, ms: batch });
    }
  }, PRESENCE_REFRESH_MS);
  refresh.unref();

  return {
    /**
     * Checks that `client` may listen to channel `name`; returns what is sent to it at once (the
     * channel's members, for a presence channel).
     */
    async listen(client: RealtimeClient, auth: AuthInfo | null, name: string): Promise<() => void> {
      const def = await check("listen", name, auth);
      return () => {
        client.channels.set(name, auth);
        if (def.presence)
          client.sink.event(
            CHANNEL_PREFIX + name,
            JSON.stringify({ type: "presence", action: "sync", members: snapshot(name) }),
          );
      };
    },

    /** Sends a custom event to every listener of channel `name`, on every instance. */
    async broadcast(
      sender: { client: RealtimeClient | null; auth: AuthInfo | null; trusted?: boolean },
      name: string,
      event: unknown,
      data: unknown,
    ): Promise<void> {
      if (typeof event !== "string" || event.length === 0 || event.length > MAX_EVENT_NAME_LENGTH)
        throw new PlinthError(
          "invalid_input",
          `"event" must be a name of 1 to ${MAX_EVENT_NAME_LENGTH} characters.`,
        );
      if (data !== undefined && jsonBytes(data) > MAX_BROADCAST_BYTES)
        throw new PlinthError(
          "payload_too_large",
          `"data" must be at most ${MAX_BROADCAST_BYTES} bytes of JSON.`,
        );
      if (sender.trusted) await definition(name);
      else await check("publish", name, sender.auth);
      const from = publicAuth(sender.auth);
      const pid = sender.client?.presenceId ?? null;
      deliverLocal(
        name,
        JSON.stringify({ type: "broadcast", event, data: data ?? null, from: { id: pid, auth: from } }),
      );
      send({ t: "bc", o: deps.origin, ch: name, ev: event, d: data ?? null, from, pid });
    },

    /** Joins (or updates its state in) the presence of channel `name`; returns the members. */
    async join(client: RealtimeClient, name: string, state: unknown): Promise<PresenceMember[]> {
      if (state !== undefined && jsonBytes(state) > MAX_PRESENCE_STATE_BYTES)
        throw new PlinthError(
          "payload_too_large",
          `"state" must be at most ${MAX_PRESENCE_STATE_BYTES} bytes of JSON.`,
        );
      // a member learns who else is there: joining needs the listen rule as well as the publish rule
      await check("listen", name, client.auth);
      const def = await check("publish", name, client.auth);
      if (!def.presence) throw new PlinthError("invalid_input", `Channel "${name}" has no presence.`);
      const known = presence.get(name)?.has(client.presenceId) === true;
      if (!known && client.joined.size >= MAX_JOINS_PER_CLIENT)
        throw new PlinthError(
          "rate_limited",
          `A connection may be in at most ${MAX_JOINS_PER_CLIENT} channels.`,
        );
      if (!known && (presence.get(name)?.size ?? 0) >= MAX_MEMBERS_PER_CHANNEL)
        throw new PlinthError("rate_limited", `Channel "${name}" is full.`);
      const member: HeldMember = {
        id: client.presenceId,
        auth: publicAuth(client.auth),
        state: state ?? null,
        origin: deps.origin,
        seenAt: Date.now(),
      };
      membersOf(name).set(member.id, member);
      client.joined.add(name);
      const action = known ? "update" : "join";
      presenceEvent(name, action, member);
      send({
        t: "pr",
        o: deps.origin,
        ch: name,
        a: action,
        m: { id: member.id, auth: member.auth, state: member.state },
      });
      return snapshot(name);
    },

    /** Leaves the presence of channel `name` (nothing when not in it). */
    leave(client: RealtimeClient, name: string): void {
      if (!client.joined.delete(name)) return;
      const member = presence.get(name)?.get(client.presenceId);
      removeMember(name, client.presenceId);
      if (member !== undefined)
        send({
          t: "pr",
          o: deps.origin,
          ch: name,
          a: "leave",
          m: { id: member.id, auth: member.auth, state: null },
        });
    },

    /**
     * The connection's auth record changed (`previous` was its auth). Dropped auth: it stops listening
     * and leaves every presence. Same identity, new record: listening goes on where the listen rule
     * still lets the record in (a rule may read the record's fields), checked now.
     */
    authChanged(client: RealtimeClient, previous: AuthInfo): void {
      if (client.auth === null) {
        client.channels.clear();
        this.disconnected(client);
        return;
      }
      const current = client.auth;
      for (const [name, grant] of client.channels) {
        if (grant !== previous) continue;
        client.channels.set(name, current);
        check("listen", name, current).catch(() => {
          if (client.channels.get(name) === current) client.channels.delete(name);
        });
      }
      // a member must still pass both rules with its record as it is now
      for (const name of client.joined)
        Promise.all([check("listen", name, current), check("publish", name, current)]).catch(() => {
          if (client.auth === current) this.leave(client, name);
        });
    },

    /** A connection ended: it leaves every presence it was in. */
    disconnected(client: RealtimeClient): void {
      for (const name of [...client.joined]) this.leave(client, name);
    },

    /** Who is in channel `name` now (every instance). */
    members: snapshot,

    /** A channel message from another instance. */
    receive(message: ChannelMessage): void {
      if (typeof message.ch !== "string") return;
      if (message.t === "bc") {
        deliverLocal(
          message.ch,
          JSON.stringify({
            type: "broadcast",
            event: message.ev,
            data: message.d,
            from: { id: message.pid, auth: message.from },
          }),
        );
      } else if (message.t === "pr") {
        if (message.a === "leave") removeMember(message.ch, message.m.id);
        else {
          membersOf(message.ch).set(message.m.id, {
            ...message.m,
            origin: message.o,
            seenAt: Date.now(),
          });
          presenceEvent(message.ch, message.a, message.m);
        }
      } else if (message.t === "pr-sync") {
        const members = membersOf(message.ch);
        for (const m of message.ms) {
          const held = members.get(m.id);
          if (held !== undefined) held.seenAt = Date.now();
          else {
            members.set(m.id, { ...m, origin: message.o, seenAt: Date.now() });
            presenceEvent(message.ch, "join", m);
          }
        }
      }
    },

    close(): void {
      clearInterval(refresh);
    },
  };
}

/** The channels' type. */
export type Channels = ReturnType<typeof createChannels>;
export type { ChannelMessage };
