import { describe, expect, it } from "vitest";
import type { ConfigError } from "../errors.js";
import { parseHostRecords } from "../hosts/index.js";
import { parseApiUrl } from "./api-url.js";
import { configFromObject } from "./load.js";
import { DEFAULT_API } from "./types.js";

const base = { agents: [{ name: "a", runtime: "shell" }] };
const load = (api: unknown) => configFromObject({ ...base, api }, { file: "/x/swarm.yaml", baseDir: "/x" });
const problems = (api: unknown): readonly string[] => {
  try {
    load(api);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe("api: in swarm.yaml", () => {
  it("defaults to loopback port 7433 with token-protected metrics, and `api: false` turns it off", () => {
    expect(configFromObject(base, { file: "/x/swarm.yaml", baseDir: "/x" }).api).toBeUndefined();
    expect(DEFAULT_API).toMatchObject({ enabled: true, listen: { host: "127.0.0.1", port: 7433 }, metrics: "token", tls: null });
    expect(load(false).api?.enabled).toBe(false);
  });

  it("reads IPv6 addresses, resolves TLS files against the config's folder and normalises origins", () => {
    const api = load({ listen: "[::1]:0", tls: { cert: "c.pem", key: "/abs/k.pem" }, allowed_origins: ["https://dash.example.com/"] }).api!;
    expect(api).toMatchObject({
      listen: { host: "::1", port: 0 },
      listenExplicit: true,
      tls: { cert: "/x/c.pem", key: "/abs/k.pem" },
      allowedOrigins: ["https://dash.example.com"],
    });
  });

  it("refuses a non-loopback address without TLS unless insecure_bind is named, and public metrics off loopback", () => {
    expect(problems({ listen: "0.0.0.0:7433" })).toEqual([
      expect.stringMatching(/^swarm\.yaml: api\.listen: 0\.0\.0\.0 is not a loopback address; add api\.tls/),
    ]);
    expect(problems({ listen: "0.0.0.0:7433", insecure_bind: true })).toEqual([]);
    expect(problems({ listen: "0.0.0.0:7433", tls: { cert: "c", key: "k" }, metrics: "public" })).toEqual([
      expect.stringContaining("api.metrics: public metrics are only allowed on a loopback address"),
    ]);
  });

  it("names every bad field with its path", () => {
    expect(problems({ listen: "nope", metrics: "x", rate_limit: 0, allowed_origins: ["javascript:alert(1)"], bogus: 1 })).toEqual([
      'swarm.yaml: api.listen: expected host:port such as "127.0.0.1:7433" (port 0 picks a free one), got "nope"',
      'swarm.yaml: api.metrics: expected "token" or "public", got "x"',
      "swarm.yaml: api.rate_limit: expected a positive number of requests per minute, got 0",
      'swarm.yaml: api.allowed_origins.0: expected an origin such as "https://dash.example.com", got "javascript:alert(1)"',
      "swarm.yaml: api.bogus: unknown key",
    ]);
    expect(problems("yes")).toEqual(['swarm.yaml: api: expected false or a mapping with `listen`, `tls`, `metrics`, …, got "yes"']);
  });

  it("resolves api.peer_ca against the config's folder", () => {
    expect(load({ peer_ca: "ca.pem" }).api?.peerCa).toBe("/x/ca.pem");
    expect(load({}).api?.peerCa).toBeNull();
    expect(problems({ peer_ca: 7 })).toEqual([expect.stringMatching(/^swarm\.yaml: api\.peer_ca: expected a PEM file of the CA/)]);
  });
});

describe("a host's API URL (hosts.NAME.api_url, and the `api` of its heartbeat record)", () => {
  it("takes an http or https origin, with or without its trailing slash", () => {
    expect(parseApiUrl("https://gpu-1.internal:7433")).toBe("https://gpu-1.internal:7433");
    expect(parseApiUrl("http://127.0.0.1:7433/")).toBe("http://127.0.0.1:7433");
    expect(parseApiUrl("http://[::1]:7433")).toBe("http://[::1]:7433");
  });

  it("refuses credentials, a path, a query, a fragment, another scheme, odd spellings and what is not text", () => {
    for (const bad of [
      "https://u:p@gpu-1:7433",
      "https://u@gpu-1:7433",
      "https://gpu-1:7433/v1",
      "https://gpu-1:7433?x=1",
      "https://gpu-1:7433#x",
      "ftp://gpu-1:21",
      "javascript:alert(1)",
      "http://0x7f.1:7433",
      "HTTP://GPU-1:7433",
      "http://gpu-1:7433\r\nX: y",
      "http://gpu-1:80",
      " https://gpu-1:7433",
      "",
      7433,
      null,
    ]) {
      expect(parseApiUrl(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it("is checked in swarm.yaml with its path, and dropped from a heartbeat record that does not hold one", () => {
    const hosts = (api_url: unknown) =>
      configFromObject(
        { hosts: { "gpu-1": { api_url } }, agents: [{ name: "a", runtime: "shell", hosts: ["gpu-1"] }] },
        { file: "/x/swarm.yaml", baseDir: "/x" },
      );
    expect(hosts("https://gpu-1.internal:7433/").hosts?.[0]?.apiUrl).toBe("https://gpu-1.internal:7433");
    expect(() => hosts("https://gpu-1.internal:7433/x")).toThrow(/hosts\.gpu-1\.api_url: expected an http or https URL with a host and port only/);
    const record = (api: unknown) =>
      parseHostRecords({ "gpu-1": JSON.stringify({ host: "gpu-1", beatAt: new Date().toISOString(), leaseMs: 30_000, api }) })[0]!;
    expect(record("http://127.0.0.1:7433").api).toBe("http://127.0.0.1:7433");
    expect(record("http://127.0.0.1:7433/'; touch /tmp/x").api).toBeUndefined();
    expect(record({ href: "http://127.0.0.1:7433" }).api).toBeUndefined();
  });

  it("is refused as http in a swarm whose API serves https (api.tls), naming the host", () => {
    const withTls = (api_url: string) => () =>
      configFromObject(
        {
          api: { tls: { cert: "c.pem", key: "k.pem" } },
          hosts: { "gpu-1": { api_url }, "build-1": {} },
          agents: [{ name: "a", runtime: "shell", hosts: ["gpu-1", "build-1"] }],
        },
        { file: "/x/swarm.yaml", baseDir: "/x" },
      );
    expect(withTls("http://gpu-1.internal:7433")).toThrow(
      /hosts\.gpu-1\.api_url: an http URL, but api\.tls makes every host's API serve https only; write it with https:\/\//,
    );
    expect(withTls("https://gpu-1.internal:7433")().hosts?.[0]?.apiUrl).toBe("https://gpu-1.internal:7433");
  });
});
