import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { ConfigError, NotFoundError, UsageError } from "../errors.js";
import { eventFields } from "../ledger.js";
import { REMOVE_ITEMS, WRITE_ITEM } from "./scripts.js";
import { parseItem } from "./item-schema.js";
import type { InboxAnswer, InboxItem, NewInboxItem } from "./types.js";

/** Finished items are kept this long, then removed by expire(). */
export const INBOX_RETENTION_MS = 30 * 24 * 3600 * 1000;
const MAX_ATTEMPTS = 50;

export interface InboxKeys {
  item(id: string): string;
  readonly open: string;
  readonly due: string;
  readonly closed: string;
  readonly all: string;
}

export function inboxKeys(prefix: string): InboxKeys {
  return {
    item: (id) => `${prefix}:inbox:${id}`,
    open: `${prefix}:inbox-open`,
    due: `${prefix}:inbox-due`,
    closed: `${prefix}:inbox-closed`,
    all: `${prefix}:inbox-all`,
  };
}

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** Flat string fields of an item's event; the title is the message a person reads in `logs`. */
function eventOf(type: string, item: InboxItem, extra: Record<string, string | undefined> = {}): string[] {
  const source = item.source;
  return eventFields(type, {
    item: item.id,
    kind: item.kind,
    message: `${type.slice("inbox.".length)} ${item.id}: ${item.title}`,
    source: source.type,
    ...("executionId" in source && { executionId: source.executionId, workflow: source.workflow }),
    ...("step" in source && { step: source.step }),
    ...("agent" in source && { agent: source.agent }),
    ...("taskId" in source && { taskId: source.taskId }),
    ...("session" in source && { session: source.session }),
    ...extra,
  });
}

/**
 * Items in Redis: one JSON document per item (`<prefix>:inbox:<id>`), the
 * open ones in a sorted set by creation, those with an escalation time still
 * ahead in another by that time, closed ones by closing time (retention).
 * Every change goes through WRITE_ITEM: written once, with its event.
 */
export class InboxStore {
  readonly keys: InboxKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly eventsKey: string,
  ) {
    this.keys = inboxKeys(prefix);
  }

  /** Opens an item; a second open of the same id changes nothing and publishes nothing. */
  async open(spec: NewInboxItem, now = Date.now()): Promise<{ item: InboxItem; created: boolean }> {
    const at = new Date(now).toISOString();
    const after = spec.escalateAfterMs;
    const item: InboxItem = {
      id: spec.id,
      kind: spec.kind,
      status: "open",
      title: spec.title,
      text: spec.text,
      questions: spec.questions ?? [],
      source: spec.source,
      createdAt: at,
      escalateAt: after === null || after === undefined ? null : new Date(now + after).toISOString(),
      escalatedAt: null,
      answer: null,
      closedAt: null,
      reason: null,
    };
    const written = await this.write("", item, eventOf("inbox.opened", item, { escalateAt: item.escalateAt ?? undefined }));
    if (written === 1) return { item, created: true };
    return { item: await this.mustGet(spec.id), created: false };
  }

  async get(id: string): Promise<InboxItem | null> {
    const text = await this.redis.get(this.keys.item(id));
    return text === null ? null : parseItem(text, this.keys.item(id));
  }

  async mustGet(id: string): Promise<InboxItem> {
    const item = await this.get(id);
    if (item === null) throw new NotFoundError(`no inbox item "${id}"`, { hint: "`claude-agent inbox` lists the open items.", context: { item: id } });
    return item;
  }

  /** Open items, oldest first (the one waiting longest comes first); with `all`, the newest `limit` items of any status. */
  async list(options: { all?: boolean; limit?: number } = {}): Promise<InboxItem[]> {
    const limit = options.limit ?? 200;
    const ids = options.all ? await this.redis.zrevrange(this.keys.all, 0, limit - 1) : await this.redis.zrange(this.keys.open, 0, limit - 1);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => this.keys.item(id)));
    return texts.flatMap((text, i) => (text === null ? [] : [parseItem(text, this.keys.item(ids[i] ?? ""))]));
  }

  async openCount(): Promise<number> {
    return this.redis.zcard(this.keys.open);
  }

  /** Records the answer of an open item (once). UsageError when it was already answered or withdrawn. */
  async answer(id: string, answer: InboxAnswer, now = Date.now()): Promise<InboxItem> {
    return this.change(
      id,
      (item) => {
        if (item.status !== "open") throw closedError(item);
        Object.assign(item, { status: "answered", answer, closedAt: new Date(now).toISOString() });
        const summary = "decision" in answer ? answer.decision : `values for ${Object.keys(answer.values).join(", ") || "nothing"}`;
        return ["inbox.answered", { answer: summary, by: answer.by }];
      },
      now,
    );
  }

  /** Closes an open item nobody waits for any more; false when it was not open. */
  async withdraw(id: string, reason: string, now = Date.now()): Promise<boolean> {
    let done = false;
    await this.change(
      id,
      (item) => {
        if (item.status !== "open") return null;
        Object.assign(item, { status: "withdrawn", reason, closedAt: new Date(now).toISOString() });
        done = true;
        return ["inbox.withdrawn", { reason }];
      },
      now,
    ).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
    return done;
  }

  /** Escalates every open item whose time has come (one `inbox.escalated` each); returns them. */
  async escalateDue(now = Date.now()): Promise<InboxItem[]> {
    const ids = await this.redis.zrangebyscore(this.keys.due, "-inf", now, "LIMIT", 0, 100);
    const escalated: InboxItem[] = [];
    for (const id of ids) {
      let changed = false;
      let item: InboxItem | null = null;
      try {
        item = await this.change(
          id,
          (cur) => {
            if (cur.status !== "open" || cur.escalatedAt !== null) return null;
            cur.escalatedAt = new Date(now).toISOString();
            changed = true;
            const waited = Math.round((now - Date.parse(cur.createdAt)) / 1000);
            return ["inbox.escalated", { waitedSec: String(waited) }];
          },
          now,
        );
      } catch (error) {
        // Gone or unreadable: nothing to escalate, dropped below. Anything else (a Redis error, writers that
        // kept racing) leaves it due, and the next sweep tries again: dropped, it would never escalate.
        if (!(error instanceof NotFoundError || error instanceof ConfigError)) continue;
      }
      if (item !== null && changed) escalated.push(item);
      // A closed or already escalated item has nothing left to be due for.
      else await this.redis.zrem(this.keys.due, id);
    }
    return escalated;
  }

  /** Removes items closed more than `retentionMs` ago; returns how many. */
  async expire(retentionMs = INBOX_RETENTION_MS, now = Date.now()): Promise<number> {
    const ids = await this.redis.zrangebyscore(this.keys.closed, "-inf", now - retentionMs, "LIMIT", 0, 500);
    if (ids.length === 0) return 0;
    const keys = [this.keys.closed, this.keys.all, ...ids.map((id) => this.keys.item(id))];
    return (await this.redis.eval(REMOVE_ITEMS, keys.length, ...keys, ...ids)) as number;
  }

  /**
   * Applies `decide` to the stored item and writes it with its event; `decide` returns the event
   * (type and extra fields) or null to write nothing. Retried when another writer got in between.
   */
  private async change(id: string, decide: (item: InboxItem) => [string, Record<string, string | undefined>] | null, now: number): Promise<InboxItem> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const text = await this.redis.get(this.keys.item(id));
      if (text === null) throw new NotFoundError(`no inbox item "${id}"`, { hint: "`claude-agent inbox` lists the open items.", context: { item: id } });
      const item = parseItem(text, this.keys.item(id));
      const event = decide(item);
      if (event === null) return item;
      const written = await this.write(sha1(text), item, eventOf(event[0], item, event[1]), now);
      if (written === 1) return item;
      if (written === -1) throw new NotFoundError(`no inbox item "${id}"`, { context: { item: id } });
    }
    throw new Error(`inbox item ${id}: too many concurrent writers`);
  }

  private async write(expected: string, item: InboxItem, event: string[], now = Date.now()): Promise<number> {
    const open = item.status === "open";
    const due = open && item.escalatedAt === null && item.escalateAt !== null ? String(Date.parse(item.escalateAt)) : "";
    const closed = open ? "" : String(Date.parse(item.closedAt ?? "") || now);
    const k = this.keys;
    return (await this.redis.eval(
      WRITE_ITEM,
      6,
      k.item(item.id),
      k.open,
      k.due,
      k.closed,
      k.all,
      this.eventsKey,
      expected,
      JSON.stringify(item),
      item.id,
      String(Date.parse(item.createdAt)),
      open ? "1" : "0",
      due,
      closed,
      ...event,
    )) as number;
  }
}

function closedError(item: InboxItem): UsageError {
  const when = item.closedAt ?? "earlier";
  const what =
    item.status === "withdrawn"
      ? `was withdrawn at ${when}${item.reason ? ` (${item.reason})` : ""}`
      : `was already answered at ${when}${item.answer ? ` by ${item.answer.by}` : ""}`;
  return new UsageError(`inbox item ${item.id} ${what}`, { context: { item: item.id } });
}
