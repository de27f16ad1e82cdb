import { hostname, userInfo } from "node:os";
import type { Interface, Origin } from "./protocol.js";

/** The person running this process, as the audit log names them: `user@host` (`CLAUDE_AGENT_ACTOR` overrides it). */
export function localActor(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env.CLAUDE_AGENT_ACTOR?.trim();
  if (given) return given.slice(0, 200);
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER ?? "unknown"; // no passwd entry for this uid (some containers)
  }
  return `${user}@${hostname()}`;
}

export function localOrigin(via: Interface): Origin {
  return { actor: localActor(), via };
}
