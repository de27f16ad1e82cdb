import { randomSuffix } from "../ids.js";

const ITEM_ID = /^i-[a-z0-9]{6}$/;

/** `i-` and six base-36 characters: short to type after `claude-agent answer`, safe in any command line. */
export function newInboxId(): string {
  return `i-${randomSuffix(6)}`;
}

export function isInboxId(id: string): boolean {
  return ITEM_ID.test(id);
}
