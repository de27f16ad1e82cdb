/**
 * The URL of a host's API as the other hosts' daemons reach it (the web
 * terminal's relay): `hosts.NAME.api_url` in swarm.yaml, and the `api` field
 * of a host's heartbeat record. A file of its own, without imports: the
 * config schema (host-rules.ts) and core/hosts both read it, and api.ts
 * would make an import cycle through schema.ts.
 */

/**
 * http or https, a host and a port, nothing else. Returned as its origin, or null.
 * A published one is read from Redis, which anyone with the swarm's Redis can write, so this is strict:
 * no credentials, path, query or fragment, and the text must already be the origin the URL parser makes
 * of it (no escapes, no odd spellings of the host), so what is connected to is exactly what was written.
 */
export function parseApiUrl(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 300) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || url.pathname !== "/") return null;
  return url.origin === value.replace(/\/$/, "") ? url.origin : null;
}

export const API_URL_EXPECTED = 'an http or https URL with a host and port only, such as "https://gpu-1.internal:7433"';
