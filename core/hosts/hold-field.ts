/**
 * The field of a hold on an agent's queue: its open circuit breaker (`<prefix>:breakers`) or its rate-limit
 * parking (`<prefix>:parked`). A hold comes from one bridge's own sessions (their infrastructure failures,
 * their program's usage limit), so in a swarm spanning hosts it is that host's: `agent@host`, and another
 * host of the same agent keeps taking jobs. A swarm without `hosts:` keeps the field it always had, the
 * agent's name. Neither an agent's name nor a host's can hold `@`.
 */
export function holdField(agent: string, host: string | null): string {
  return host === null ? agent : `${agent}@${host}`;
}

/** The agent and host a field names (host null: a one-host swarm's field). */
export function parseHoldField(field: string): { agent: string; host: string | null } {
  const at = field.indexOf("@");
  return at < 0 ? { agent: field, host: null } : { agent: field.slice(0, at), host: field.slice(at + 1) };
}
