/**
 * `hosts:` at the top level (the machines of one swarm: a name, an optional
 * ssh target and labels) and an agent's `hosts:` and `labels:`. Placement and
 * the labels that route tasks are computed in core/hosts from what this
 * normalizes; here: syntax, and agents naming hosts that do not exist.
 */
import { z } from "zod";
import { API_URL_EXPECTED, parseApiUrl } from "./api-url.js";
import type { HostConfig } from "./types.js";

/** A host's name: it names a Redis key of the swarm (`<prefix>:owner:<host>`) and is typed on command lines, so no `:`, `*` or spaces. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const HOST_NAME_EXPECTED = "a host name of letters, digits, '.', '_' and '-' (at most 63, starting with a letter or digit)";
/** A label: lowercase, so `GPU` and `gpu` are never two capabilities. */
export const LABEL = /^[a-z0-9][a-z0-9._-]{0,47}$/;
export const LABEL_EXPECTED = "a label of lowercase letters, digits, '.', '_' and '-' (at most 48, starting with a letter or digit)";
/** `[user@]host`: never starting with `-`, which ssh would read as an option. */
export const SSH_TARGET = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*$/;
const SSH_EXPECTED = "an ssh target such as ci@build-1 ([user@]host, no options)";

const show = (value: unknown): string => (value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value)));
const expected = (what: string) => ({ errorMap: (_issue: unknown, ctx: { data: unknown }) => ({ message: `expected ${what}, got ${show(ctx.data)}` }) });

export const rawLabelSchema = z.string(expected(LABEL_EXPECTED)).regex(LABEL);
export const rawLabelsSchema = z.array(rawLabelSchema, expected("a list of labels")).optional();
/** An agent's `hosts:`: which hosts its replicas are spread over (names checked against `hosts:` by hostProblems). */
export const rawAgentHostsSchema = z
  .array(z.string(expected(HOST_NAME_EXPECTED)).regex(HOST_NAME), expected("a list of host names from `hosts:`"))
  .min(1, "expected at least one host name")
  .optional();

const rawHostSchema = z
  .object(
    {
      ssh: z.string(expected(SSH_EXPECTED)).regex(SSH_TARGET).optional(),
      labels: z.array(rawLabelSchema, expected("a list of labels")).optional(),
      /**
       * Where the other hosts' daemons reach this host's API (the web terminal's relay): per host, since every
       * host reads the same swarm.yaml, and a daemon listening on 0.0.0.0 cannot know the name it is reached by.
       */
      api_url: z
        .string(expected(API_URL_EXPECTED))
        .refine(
          (value) => parseApiUrl(value) !== null,
          (value) => ({ message: `expected ${API_URL_EXPECTED}, got ${show(value)}` }),
        )
        .optional(),
    },
    expected("a mapping with `ssh`, `labels` and/or `api_url`"),
  )
  .strict()
  .nullable();

/** `hosts:` at the top level: name → `{ ssh?, labels? }` (an empty entry, `gpu-1: {}` or `gpu-1:`, is a host without either). */
export const rawHostsSchema = z
  .record(z.string(), rawHostSchema, expected("a mapping of host names to { ssh, labels }"))
  .superRefine((hosts, ctx) => {
    const names = Object.keys(hosts);
    if (names.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "expected at least one host" });
    for (const name of names) {
      if (!HOST_NAME.test(name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `expected ${HOST_NAME_EXPECTED}, got ${show(name)}` });
    }
  })
  .optional();

export type RawHosts = z.infer<typeof rawHostsSchema>;

/**
 * An agent naming a host that `hosts:` does not declare, or naming one twice; `hosts:` on an agent with no `hosts:`
 * at the top; an http `api_url` in a swarm whose API serves https (`api.tls`).
 */
export function hostProblems(root: Record<string, unknown>): string[] {
  const declared = isRecord(root.hosts) ? Object.keys(root.hosts) : null;
  const agents = Array.isArray(root.agents) ? (root.agents as unknown[]) : [];
  const problems: string[] = [...plainUrlProblems(root)];
  agents.forEach((agent, index) => {
    if (!isRecord(agent) || !Array.isArray(agent.hosts)) return;
    const at = `agents.${index}.hosts`;
    if (declared === null) {
      problems.push(`${at}: no hosts are declared; add a top-level \`hosts:\` mapping (name: { ssh, labels }) for each machine of the swarm`);
      return;
    }
    const seen = new Set<string>();
    agent.hosts.forEach((name, i) => {
      if (typeof name !== "string") return; // the schema reports it
      if (seen.has(name)) problems.push(`${at}.${i}: host ${JSON.stringify(name)} is listed twice`);
      seen.add(name);
      if (!declared.includes(name))
        problems.push(`${at}.${i}: unknown host ${JSON.stringify(name)}; hosts are ${declared.join(", ")} (declare it under \`hosts:\`)`);
    });
  });
  return problems;
}

/**
 * Every host reads the same swarm.yaml, so with `api.tls` every host's API serves https only: an http `api_url`
 * could never be reached, and each relay to it would fail before falling back to ssh.
 */
function plainUrlProblems(root: Record<string, unknown>): string[] {
  if (!isRecord(root.api) || root.api.tls === undefined || !isRecord(root.hosts)) return [];
  return Object.entries(root.hosts)
    .filter(([, host]) => isRecord(host) && typeof host.api_url === "string" && host.api_url.startsWith("http:"))
    .map(([name]) => `hosts.${name}.api_url: an http URL, but api.tls makes every host's API serve https only; write it with https://`);
}

export function normalizeHosts(raw: NonNullable<RawHosts>): HostConfig[] {
  return Object.entries(raw).map(([name, host]) =>
    Object.freeze({
      name,
      ssh: host?.ssh ?? null,
      labels: Object.freeze(uniqueLabels(host?.labels)),
      apiUrl: host?.api_url === undefined ? null : parseApiUrl(host.api_url),
    }),
  );
}

export function uniqueLabels(labels: readonly string[] | undefined): string[] {
  return [...new Set(labels ?? [])];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
