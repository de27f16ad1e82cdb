import { createHash } from "node:crypto";
import { randomSuffix } from "../ids.js";

const ITEM_ID = /^i-[a-z0-9]{6}$/;

/** `i-` and six base-36 characters: short to type after `claude-agent answer`, safe in any command line. */
export function newInboxId(): string {
  return `i-${randomSuffix(6)}`;
}

export function isInboxId(id: string): boolean {
  return ITEM_ID.test(id);
}

/**
 * The one item id of `key` (`task:t-…` for a failed task): a raiser that may
 * see the same cause twice (events are read at least once) opens it once,
 * since a second open of an id changes nothing.
 */
export function inboxIdFor(key: string): string {
  const digest = createHash("sha256").update(key, "utf8").digest();
  let suffix = "";
  for (const byte of digest.subarray(0, 6)) suffix += (byte % 36).toString(36);
  return `i-${suffix}`;
}
