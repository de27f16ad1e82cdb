/**
 * `notify:` in swarm.yaml: where the swarm tells a person that something
 * happened (a webhook, the desktop, a program of theirs) and which events each
 * target wants. Checked target by target, each against the schema of its
 * `type`, so a problem names its field (`notify.1.url: …`); the daemon's
 * notifier (supervisor/notify) delivers.
 */
import { z } from "zod";
import { expectedMessage } from "./schema.js";
import { AGENT_NAME } from "./types.js";

/**
 * The events a target can ask for, by the names a person would use; each
 * stands for one or more types of the swarm's event stream
 * (supervisor/notify/vocabulary.ts). `all` in swarm.yaml means every one.
 */
export const NOTIFY_EVENTS = [
  "needs-you",
  "task.failed",
  "task.timeout",
  "workflow.finished",
  "workflow.failed",
  "agent.crash-loop",
  "breaker.open",
  "agent.parked",
  "budget.reached",
] as const;
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

export const NOTIFY_TARGET_TYPES = ["webhook", "desktop", "command"] as const;
export type NotifyTargetType = (typeof NOTIFY_TARGET_TYPES)[number];

/** A target's deliveries per minute unless its `rate_limit` says otherwise: enough for a busy afternoon, not for a failure storm. */
export const DEFAULT_NOTIFY_RATE_PER_MINUTE = 20;

interface NotifyTargetBase {
  readonly name: string;
  readonly events: readonly NotifyEventName[];
  /** At most this many deliveries in any minute; what is held back is counted and reported with the next one. */
  readonly ratePerMinute: number;
}

/** `url` and header values may name variables (`${SLACK_WEBHOOK_URL}`), filled in from the environment of the process that sends. */
export interface WebhookTarget extends NotifyTargetBase {
  readonly type: "webhook";
  readonly url: string;
  readonly format: "json" | "slack";
  readonly headers: Readonly<Record<string, string>>;
}

/** `notify-send` on this machine's display. */
export interface DesktopTarget extends NotifyTargetBase {
  readonly type: "desktop";
}

/** A program run with the event as JSON on its stdin: an argument list, never a shell line. */
export interface CommandTarget extends NotifyTargetBase {
  readonly type: "command";
  readonly command: readonly string[];
}

export type NotifyTarget = WebhookTarget | DesktopTarget | CommandTarget;

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const URL_EXPECTED = 'an http(s) URL such as "https://hooks.slack.com/services/…", or "${VARIABLE}" holding one';
const EVENTS_EXPECTED = `a list of events: ${["all", ...NOTIFY_EVENTS].map((e) => JSON.stringify(e)).join(", ")}`;

const expected = (what: string) => ({
  errorMap: (_issue: z.ZodIssueOptionalMessage, ctx: { data: unknown }) => ({ message: expectedMessage(what, ctx.data) }),
});

/** Variables written `${NAME}` in a value. */
export function variablesIn(value: string): string[] {
  return [...value.matchAll(VARIABLE)].map((match) => match[1]!);
}

/** `${NAME}` replaced by the variable's value; the names missing from `env` are returned instead. */
export function expandVariables(value: string, env: Readonly<Record<string, string | undefined>>): { value: string } | { missing: string[] } {
  const missing = variablesIn(value).filter((name) => env[name] === undefined || env[name] === "");
  if (missing.length > 0) return { missing: [...new Set(missing)] };
  return { value: value.replace(VARIABLE, (_whole, name: string) => env[name]!) };
}

/** An http(s) URL, once its variables are filled in; a value that is only a variable is checked when it is. */
export function isWebhookUrl(value: string): boolean {
  if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim())) return true;
  try {
    const url = new URL(value.replace(VARIABLE, "x"));
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const eventName = z.custom<NotifyEventName | "all">(
  (value) => value === "all" || (NOTIFY_EVENTS as readonly unknown[]).includes(value),
  (value) => ({ message: expectedMessage(`one of ${["all", ...NOTIFY_EVENTS].map((e) => JSON.stringify(e)).join(", ")}`, value) }),
);

const common = {
  type: z.enum(NOTIFY_TARGET_TYPES),
  name: z.string(expected("lowercase letters, digits and hyphens")).regex(AGENT_NAME).optional(),
  events: z.array(eventName, expected(EVENTS_EXPECTED)).min(1, `expected at least one event: ${EVENTS_EXPECTED}`),
  rate_limit: z.number(expected("a whole number of deliveries per minute from 1 to 600")).int().min(1).max(600).optional(),
};

const webhookSchema = z
  .object(
    {
      ...common,
      url: z.string(expected(URL_EXPECTED)).refine(isWebhookUrl, (value) => ({ message: expectedMessage(URL_EXPECTED, value) })),
      format: z.enum(["json", "slack"], expected('"json" or "slack"')).optional(),
      headers: z
        .record(
          z.string().refine(
            (name) => HEADER_NAME.test(name),
            (name) => ({ message: expectedMessage("an HTTP header name", name) }),
          ),
          z.string(expected("a header value (text on one line)")).refine(
            (value) => !/[\r\n]/.test(value),
            (value) => ({ message: expectedMessage("a header value on one line", value) }),
          ),
          expected("a mapping of header names to values"),
        )
        .optional(),
    },
    expected("a mapping with `type`, `url` and `events`"),
  )
  .strict();

const desktopSchema = z.object(common, expected("a mapping with `type` and `events`")).strict();

const commandSchema = z
  .object(
    {
      ...common,
      command: z
        .array(z.string(expected("a word of the command")), expected('the program and its arguments as a list, such as ["/usr/local/bin/page-me", "--urgent"]'))
        .min(1, 'expected the program and its arguments as a list, such as ["/usr/local/bin/page-me", "--urgent"]')
        .refine(
          (argv) => (argv[0] ?? "").trim() !== "",
          () => ({ message: "expected the program to run as the list's first word, got an empty one" }),
        ),
    },
    expected("a mapping with `type`, `command` and `events`"),
  )
  .strict();

const SCHEMAS = { webhook: webhookSchema, desktop: desktopSchema, command: commandSchema } as const;

type RawWebhook = z.infer<typeof webhookSchema>;
type RawCommand = z.infer<typeof commandSchema>;
export type RawNotifyTarget = z.infer<typeof webhookSchema> | z.infer<typeof desktopSchema> | z.infer<typeof commandSchema>;

/**
 * `notify:` as a list of targets, each checked against its type's schema (a
 * union would report only "invalid input"). Issues carry their path from
 * `notify`.
 */
export const rawNotifySchema = {
  safeParse(value: unknown): z.SafeParseReturnType<unknown, RawNotifyTarget[] | undefined> {
    if (value === undefined) return { success: true, data: undefined };
    if (!Array.isArray(value))
      return failure([{ code: z.ZodIssueCode.custom, path: [], message: expectedMessage("a list of targets (webhook, desktop or command)", value) }]);
    const issues: z.ZodIssue[] = [];
    const targets: RawNotifyTarget[] = [];
    value.forEach((target, index) => {
      const type = typeof target === "object" && target !== null ? (target as { type?: unknown }).type : undefined;
      const schema = SCHEMAS[type as NotifyTargetType] as z.ZodTypeAny | undefined;
      if (schema === undefined || !Object.hasOwn(SCHEMAS, type as string)) {
        const what = typeof target === "object" && target !== null && !Array.isArray(target) ? "type" : null;
        issues.push({
          code: z.ZodIssueCode.custom,
          path: what ? [index, what] : [index],
          message: what
            ? expectedMessage('one of "webhook", "desktop", "command"', type)
            : expectedMessage("a mapping with `type` (webhook, desktop or command) and `events`", target),
        });
        return;
      }
      const parsed = schema.safeParse(target);
      if (parsed.success) targets.push(parsed.data as RawNotifyTarget);
      else issues.push(...parsed.error.issues.map((issue) => ({ ...issue, path: [index, ...issue.path] })));
    });
    return issues.length > 0 ? failure(issues) : { success: true, data: targets };
  },
};

function failure(issues: z.ZodIssue[]): z.SafeParseError<unknown> {
  return { success: false, error: new z.ZodError(issues) };
}

/** A target's name: its own, or its type and position (`webhook-1`), as `notify test --target` takes it. */
export function targetName(raw: { name?: unknown; type?: unknown }, index: number): string {
  return typeof raw.name === "string" ? raw.name : `${String(raw.type)}-${index + 1}`;
}

/** Names are unique (`notify test --target NAME` picks one). Run on the raw list so it reports beside other problems. */
export function notifyProblems(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const problems: string[] = [];
  const first = new Map<string, number>();
  raw.forEach((target, index) => {
    if (typeof target !== "object" || target === null) return;
    const name = targetName(target as Record<string, unknown>, index);
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else problems.push(`notify.${index}.name: duplicate target name ${JSON.stringify(name)} (also notify.${earlier}); give each target its own \`name\``);
  });
  return problems;
}

export function normalizeNotify(raw: readonly RawNotifyTarget[]): readonly NotifyTarget[] {
  return Object.freeze(raw.map((target, index) => Object.freeze(normalizeTarget(target, index))));
}

function normalizeTarget(raw: RawNotifyTarget, index: number): NotifyTarget {
  const events: readonly NotifyEventName[] = Object.freeze(raw.events.includes("all") ? [...NOTIFY_EVENTS] : [...new Set(raw.events as NotifyEventName[])]);
  const base = { name: targetName(raw, index), events, ratePerMinute: raw.rate_limit ?? DEFAULT_NOTIFY_RATE_PER_MINUTE };
  switch (raw.type) {
    case "webhook": {
      const hook = raw as RawWebhook;
      return { ...base, type: "webhook", url: hook.url.trim(), format: hook.format ?? "json", headers: Object.freeze({ ...(hook.headers ?? {}) }) };
    }
    case "command":
      return { ...base, type: "command", command: Object.freeze([...(raw as RawCommand).command]) };
    default:
      return { ...base, type: "desktop" };
  }
}
