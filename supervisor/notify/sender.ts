/** One way of reaching a person (a webhook, the desktop, a program), and how its failures say whether another try can help. */
import type { NotifyTarget } from "../../core/index.js";
import type { NotifyMessage } from "./message.js";

export interface Sender {
  readonly target: NotifyTarget;
  /** Where it sends, safe to log: a webhook's origin (its path may hold a secret), `notify-send`, the program's name. */
  readonly where: string;
  /** Resolves once delivered; rejects with a NotifyFailure. `signal` ends the attempt (its time limit, or shutdown). */
  send(message: NotifyMessage, signal: AbortSignal): Promise<void>;
}

/** A delivery that did not happen: `permanent` when trying again cannot help (a 404, a program not found). */
export class NotifyFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "NotifyFailure";
  }
}

/** A target that cannot be used here at all (no display, a variable not set): said once, never retried. */
export interface Unusable {
  readonly target: NotifyTarget;
  readonly problem: string;
  readonly hint: string;
}
