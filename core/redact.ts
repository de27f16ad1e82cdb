/**
 * Secret redaction for everything we store or log (results, events, log
 * lines). The agent's own pane is left untouched: only our copies are cleaned.
 */
export type Redactor = (text: string) => string;

export const REDACTED = "[redacted]";

const KEY_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bsk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /(?<=\b[Bb]earer\s+)[A-Za-z0-9._~+/-]{16,}=*/g,
];

/** Names of environment variables whose values are treated as secrets. */
export const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)/i;

const MIN_SECRET_LENGTH = 6;

/** Builds a redactor for the given secret values plus the well-known key shapes. */
export function makeRedactor(secrets: Iterable<string> = []): Redactor {
  const values = [...new Set([...secrets].filter((v) => v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return (text) => {
    if (!text) return text;
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  };
}

/** Secret values from an environment: the values of variables named like secrets. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === "string")
    .map(([, value]) => value as string);
}

/** The redactor of a swarm: secrets from its agents' env and from the daemon's own environment. */
export function swarmRedactor(agentEnvs: Iterable<Readonly<Record<string, string>>>, env: Readonly<Record<string, string | undefined>> = process.env): Redactor {
  const values = secretValues(env);
  for (const agentEnv of agentEnvs) values.push(...secretValues(agentEnv));
  return makeRedactor(values);
}
