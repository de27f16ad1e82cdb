/**
 * Permission prompts of interactive programs waiting for a person in the
 * inbox (the bridge raises them: agents/claude/interactive/prompt-watch.ts).
 * One hash per session, `<prefix>:prompt-ask:<session>`: the dialog it is
 * about (its task and the hook event that opened it), the item that asks, and
 * the question as the screen showed it (an answer is keyed only into that
 * same question). A session shows one dialog at a time. The record lets a
 * restarted bridge find the item of a dialog still open, and withdraw one
 * whose dialog went while no bridge watched. The answer itself is the item's:
 * the inbox store writes it once, and the session's bridge reads it there.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";

export interface PromptAskRecord {
  readonly session: string;
  /** Names one dialog of the session: its task and when the hook that opened it ran. */
  readonly dialog: string;
  readonly item: string;
  readonly taskId: string;
  /** The dialog as the screen read it (agents/claude/screen-state.ts), one line. */
  readonly question: string;
}

/** A session's record outlives a lost bridge and session by this much at most. */
const RECORD_TTL_SEC = 7 * 24 * 3600;

/** KEYS: the session's hash. ARGV: dialog, item, taskId, question, ttl. The item of the same dialog is kept. */
const CLAIM = `
if redis.call('HGET', KEYS[1], 'dialog') == ARGV[1] then return redis.call('HGET', KEYS[1], 'item') end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'dialog', ARGV[1], 'item', ARGV[2], 'taskId', ARGV[3], 'question', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return ARGV[2]`;

/** KEYS: the session's hash. ARGV: dialog. Removes the record only if it is still that dialog's. */
const CLEAR = `
if redis.call('HGET', KEYS[1], 'dialog') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The dialog id of a hook event of a task (the hook's time is stable across bridge restarts: the file is replayed). */
export function promptDialogId(taskId: string, hookAtMs: number): string {
  return `${taskId}@${hookAtMs}`;
}

export class PromptAsks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(session: string): Promise<PromptAskRecord | null> {
    const h = await this.redis.hgetall(this.keys.promptAsk(session));
    if (!h.dialog || !h.item || !h.taskId) return null;
    return { session, dialog: h.dialog, item: h.item, taskId: h.taskId, question: h.question ?? "" };
  }

  /**
   * Records the session's dialog, replacing an earlier dialog's record; returns the item id to open: `item`,
   * or the one claimed before for the same dialog (a bridge that died between claiming and opening reopens it).
   */
  async claim(spec: Omit<PromptAskRecord, "item">, item: string): Promise<string> {
    const key = this.keys.promptAsk(spec.session);
    return (await this.redis.eval(CLAIM, 1, key, spec.dialog, item, spec.taskId, spec.question, String(RECORD_TTL_SEC))) as string;
  }

  /** Forgets the session's record if it is still `dialog`'s. */
  async clear(session: string, dialog: string): Promise<void> {
    await this.redis.eval(CLEAR, 1, this.keys.promptAsk(session), dialog);
  }
}
