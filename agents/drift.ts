/**
 * Drift: signs that an agent program no longer behaves the way its adapter
 * reads it, usually after the program was updated. The interactive runtime
 * notes each thing it could not explain (a screen its detector could not
 * classify, a pasted prompt the program never confirmed, a turn that ended
 * on screen without its Stop hook); past a threshold within a window, the
 * agent is `drift-suspected`: the runtime switches auto-approval off for it
 * (a dialog it cannot read must not be answered blindly) and emits an event.
 * A pure state machine: the clock is injected, the caller acts on `suspected`.
 */

export type DriftSign = "unclassified-screen" | "unconfirmed-prompt" | "turn-without-stop-hook";

export interface DriftSettings {
  /** This many signs within `windowMs` make an agent drift-suspected. */
  readonly threshold: number;
  readonly windowMs: number;
}

/** Three unexplained states within an hour: one can be a slow machine, three in a row is a pattern. */
export const DEFAULT_DRIFT: DriftSettings = { threshold: 3, windowMs: 60 * 60 * 1000 };

export interface DriftNote {
  readonly sign: DriftSign;
  readonly detail: string;
  readonly at: number;
}

export interface DriftVerdict {
  /** The agent is drift-suspected (now or already). */
  readonly suspected: boolean;
  /** This very note crossed the threshold: the moment to switch auto-approval off and emit the event. */
  readonly crossed: boolean;
  /** The signs within the window, oldest first. */
  readonly recent: readonly DriftNote[];
}

export class DriftMonitor {
  private readonly notes = new Map<string, DriftNote[]>();
  private readonly flagged = new Map<string, string>();

  constructor(
    private readonly settings: DriftSettings = DEFAULT_DRIFT,
    private readonly now: () => number = Date.now,
  ) {}

  note(agent: string, sign: DriftSign, detail: string): DriftVerdict {
    const at = this.now();
    const recent = [...(this.notes.get(agent) ?? []), { sign, detail, at }].filter((n) => at - n.at <= this.settings.windowMs);
    this.notes.set(agent, recent);
    if (this.flagged.has(agent)) return { suspected: true, crossed: false, recent };
    if (recent.length < this.settings.threshold) return { suspected: false, crossed: false, recent };
    this.flagged.set(agent, describeDrift(recent));
    return { suspected: true, crossed: true, recent };
  }

  /** Why the agent is drift-suspected, or null when it is not. */
  suspected(agent: string): string | null {
    return this.flagged.get(agent) ?? null;
  }

  /** A person looked (or the program was replaced): start counting anew. */
  clear(agent: string): void {
    this.flagged.delete(agent);
    this.notes.delete(agent);
  }
}

const SIGN_TEXT: Record<DriftSign, string> = {
  "unclassified-screen": "a screen the detector could not read",
  "unconfirmed-prompt": "a prompt the program never confirmed",
  "turn-without-stop-hook": "a turn that ended on screen without its Stop hook",
};

/** One line for status and the event: how many of which signs. */
export function describeDrift(notes: readonly DriftNote[]): string {
  const counts = new Map<DriftSign, number>();
  for (const note of notes) counts.set(note.sign, (counts.get(note.sign) ?? 0) + 1);
  const parts = [...counts].map(([sign, n]) => `${n}× ${SIGN_TEXT[sign]}`);
  return `${notes.length} states the adapter could not explain (${parts.join(", ")}); auto-approval is off for this agent`;
}
