export type { InboxAnswer, InboxItem, InboxKind, InboxQuestion, InboxSource, InboxStatus, NewInboxItem } from "./types.js";
export { INBOX_KINDS, executionOf, sourceLabel } from "./types.js";
export { InboxStore, inboxKeys, INBOX_RETENTION_MS, type InboxKeys } from "./store.js";
export { checkAnswer, valueProblem, MAX_ANSWER_BYTES, type GivenAnswer } from "./answers.js";
export { newInboxId, isInboxId, inboxIdFor } from "./ids.js";
