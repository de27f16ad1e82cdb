/**
 * A webhook target: the message POSTed as JSON (`json`: the message itself;
 * `slack`: Slack's `{ "text": … }`). Redirects are not followed (a webhook
 * that moved is the user's to update, and a redirect could lead anywhere).
 */
import { expandVariables, type WebhookTarget } from "../../core/index.js";
import { type NotifyMessage, oneLine } from "./message.js";
import { NotifyFailure, type Sender, type Unusable } from "./sender.js";

const USER_AGENT = "claude-agent-notify/1";

export function webhookSender(target: WebhookTarget, env: Readonly<Record<string, string | undefined>>): Sender | Unusable {
  const url = expandVariables(target.url, env);
  if ("missing" in url) return missing(target, url.missing, "url");
  let parsed: URL;
  try {
    parsed = new URL(url.value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
  } catch {
    return { target, problem: "its url, once its variables are filled in, is not an http(s) URL", hint: "Check the variable it names." };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    const expanded = expandVariables(value, env);
    if ("missing" in expanded) return missing(target, expanded.missing, `headers.${name}`);
    headers[name] = expanded.value;
  }
  return {
    target,
    where: `webhook ${parsed.origin}`,
    async send(message, signal) {
      const body = target.format === "slack" ? slackBody(message) : JSON.stringify(message);
      let response: Response;
      try {
        response = await fetch(parsed, {
          method: "POST",
          headers: { "user-agent": USER_AGENT, ...headers, "content-type": "application/json" },
          body,
          signal,
          redirect: "manual",
        });
      } catch (error) {
        throw new NotifyFailure(`${parsed.origin} did not answer: ${causeOf(error)}`, false, "Is the receiver running and reachable from this machine?");
      }
      await response.body?.cancel().catch(() => undefined); // the body is not read: only the socket is freed
      if (response.ok) return;
      throw statusFailure(response.status);
    },
  };
}

/** Slack's message text: `&`, `<` and `>` escaped (Slack reads `<…>` as links and mentions), one line, no control characters. */
export function slackBody(message: NotifyMessage): string {
  const text = oneLine(message.text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return JSON.stringify({ text });
}

function statusFailure(status: number): NotifyFailure {
  if (status >= 300 && status < 400)
    return new NotifyFailure(`answered ${status} (a redirect)`, true, "Redirects are not followed: put the final URL in swarm.yaml.");
  if (status === 401 || status === 403)
    return new NotifyFailure(`answered ${status}`, true, "The receiver refused us: check the URL's token or the `headers` in swarm.yaml.");
  if (status === 404 || status === 410) return new NotifyFailure(`answered ${status}`, true, "No webhook at that URL: check `url` in swarm.yaml.");
  if (status === 408 || status === 429 || status >= 500)
    return new NotifyFailure(`answered ${status}`, false, "The receiver had a problem; it is tried again.");
  return new NotifyFailure(`answered ${status}`, true, "The receiver refused the request: check `url` and `format` in swarm.yaml.");
}

function missing(target: WebhookTarget, names: readonly string[], field: string): Unusable {
  return {
    target,
    problem: `its ${field} names ${names.map((n) => `\${${n}}`).join(", ")}, not set in this environment`,
    hint: `Set ${names.join(", ")} in the environment of \`claude-agent up\` (and of \`notify test\`).`,
  };
}

function causeOf(error: unknown): string {
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return "no answer in time";
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
}
