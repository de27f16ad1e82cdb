/** The sender of each configured target, or why it cannot be used in this environment. */
import type { NotifyTarget, SwarmConfig } from "../../core/index.js";
import { commandSender } from "./command.js";
import { desktopSender } from "./desktop.js";
import { programEnv } from "./program-env.js";
import type { Sender, Unusable } from "./sender.js";
import { webhookSender } from "./webhook.js";

export function senderFor(
  target: NotifyTarget,
  env: Readonly<Record<string, string | undefined>>,
  config: Pick<SwarmConfig, "supervisor" | "llm"> = {},
): Sender | Unusable {
  switch (target.type) {
    case "webhook":
      return webhookSender(target, env);
    case "desktop":
      return desktopSender(target, programEnv(env, config));
    case "command":
      return commandSender(target, programEnv(env, config));
  }
}

export function isUnusable(value: Sender | Unusable): value is Unusable {
  return "problem" in value;
}
