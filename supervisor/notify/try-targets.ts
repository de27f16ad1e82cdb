/**
 * `claude-agent notify test` and `doctor`: each target tried from this
 * process, now, with a test message and the daemon's delivery policy (a
 * receiver that fails once and then answers passes, as it would for the
 * swarm), or only checked for whether it can be used here.
 */
import type { NotifyTarget, SwarmConfig } from "../../core/index.js";
import { DEFAULT_DELIVERY, deliver, type DeliveryPolicy } from "./delivery.js";
import { testMessage } from "./message.js";
import { isUnusable, senderFor } from "./senders.js";

export interface TargetReport {
  readonly name: string;
  readonly type: NotifyTarget["type"];
  /** Where it sends (a webhook's origin only), or null when it cannot be used here. */
  readonly where: string | null;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
  readonly hint?: string;
}

export interface TryOptions {
  readonly swarm: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly policy?: DeliveryPolicy;
}

/** Sends a test message to each target at once; never rejects. */
export async function tryTargets(
  config: Pick<SwarmConfig, "notify" | "supervisor" | "llm">,
  targets: readonly NotifyTarget[],
  options: TryOptions,
): Promise<TargetReport[]> {
  const env = options.env ?? process.env;
  return Promise.all(
    targets.map(async (target): Promise<TargetReport> => {
      const sender = senderFor(target, env, config);
      if (isUnusable(sender)) return { name: target.name, type: target.type, where: null, ok: false, attempts: 0, error: sender.problem, hint: sender.hint };
      const result = await deliver(sender, testMessage(options.swarm, target.name), options.policy ?? DEFAULT_DELIVERY, new AbortController().signal);
      return result.ok
        ? { name: target.name, type: target.type, where: sender.where, ok: true, attempts: result.attempts }
        : {
            name: target.name,
            type: target.type,
            where: sender.where,
            ok: false,
            attempts: result.attempts,
            error: result.error.message,
            hint: result.error.hint,
          };
    }),
  );
}

/** Why each target cannot be used in this environment (no display, a variable not set); nothing is sent. */
export function unusableTargets(
  config: Pick<SwarmConfig, "notify" | "supervisor" | "llm">,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { name: string; problem: string; hint: string }[] {
  return (config.notify ?? []).flatMap((target) => {
    const sender = senderFor(target, env, config);
    return isUnusable(sender) ? [{ name: target.name, problem: sender.problem, hint: sender.hint }] : [];
  });
}
