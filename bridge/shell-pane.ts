/**
 * What a shell agent's pane starts with: its environment (the agent's,
 * agent-env.ts, plus two values for its shell alone, which rc.ts takes out
 * of the environment before any task runs) and the nonce its prompt markers
 * carry. A restarted bridge finds the nonce of a pane that kept running in
 * that shell's initial environment (/proc/<pid>/environ: readable by the
 * swarm's user, not from inside a sandbox, whose /proc is its own).
 */
import { randomSuffix } from "../core/index.js";
import { paneVariable } from "../sessions/index.js";

export const PROMPT_NONCE_VAR = "CA_PROMPT_NONCE";

export interface ShellPaneStart {
  readonly env: Record<string, string>;
  readonly nonce: string;
}

export function shellPaneStart(session: string, agentEnv: Readonly<Record<string, string>>): ShellPaneStart {
  const nonce = randomSuffix(24);
  return { env: { ...agentEnv, CA_SESSION: session, [PROMPT_NONCE_VAR]: nonce }, nonce };
}

/** The nonce of a pane's shell: the one just given to a new pane, else the running shell's own; null for a shell started before prompts carried one. */
export function promptNonceOf(start: ShellPaneStart, pane: { readonly panePid: number }, created: boolean): string | null {
  return created ? start.nonce : paneVariable(pane.panePid, PROMPT_NONCE_VAR);
}
