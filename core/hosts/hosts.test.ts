import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../errors.js";
import { parseConfig } from "../config/index.js";
import { agentsWithLabels, effectiveLabels, parseNeeds, placeAgent, placements, replicasOn, resolveHost } from "./index.js";

const base = mkdtempSync(join(tmpdir(), "ca-hosts-config-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const options = { file: join(base, "swarm.yaml"), baseDir: base };

const SWARM = `
hosts:
  build-1: { ssh: ci@build-1, labels: [linux, docker] }
  gpu-1:   { ssh: ml@gpu-1,   labels: [linux, gpu] }
agents:
  - { name: backend-api, runtime: shell, replicas: 4, hosts: [build-1, gpu-1] }
  - { name: trainer,     runtime: shell, hosts: [gpu-1], labels: [gpu, cuda] }
  - { name: testing,     runtime: shell, replicas: 3 }
  - { name: solo,        runtime: shell, replicas: 1, hosts: [build-1, gpu-1] }
`;

function problems(yaml: string): readonly string[] {
  try {
    parseConfig(yaml, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("hosts in swarm.yaml", () => {
  it("reads each host's ssh target and labels, in the file's order", () => {
    const config = parseConfig(SWARM, options);
    expect(config.hosts).toEqual([
      { name: "build-1", ssh: "ci@build-1", labels: ["linux", "docker"], apiUrl: null },
      { name: "gpu-1", ssh: "ml@gpu-1", labels: ["linux", "gpu"], apiUrl: null },
    ]);
    expect(config.agents.map((a) => a.hosts)).toEqual([["build-1", "gpu-1"], ["gpu-1"], ["build-1", "gpu-1"], ["build-1", "gpu-1"]]);
    expect(config.agents[1]!.labels).toEqual(["gpu", "cuda"]);
  });

  it("leaves a swarm without hosts exactly as before: no hosts anywhere, every replica local", () => {
    const config = parseConfig("agents:\n  - { name: api, runtime: shell, replicas: 2 }\n", options);
    expect(config.hosts).toBeUndefined();
    expect(config.agents[0]!.hosts).toBeUndefined();
    expect(config.agents[0]!.labels).toBeUndefined();
    expect(placements(config)).toEqual([
      { session: "api-1", agent: "api", replica: 1, host: null },
      { session: "api-2", agent: "api", replica: 2, host: null },
    ]);
    expect(replicasOn(config, null)).toEqual(new Map([["api", [1, 2]]]));
  });

  it("refuses an agent naming an unknown host, saying which hosts exist and where to declare one", () => {
    expect(problems(SWARM.replace("hosts: [gpu-1], labels", "hosts: [gpu-2], labels"))).toEqual([
      'swarm.yaml: agents.1.hosts.0: unknown host "gpu-2"; hosts are build-1, gpu-1 (declare it under `hosts:`)',
    ]);
  });

  it("refuses hosts on an agent when the swarm declares none", () => {
    expect(problems("agents:\n  - { name: api, runtime: shell, hosts: [a] }\n")).toEqual([
      "swarm.yaml: agents.0.hosts: no hosts are declared; add a top-level `hosts:` mapping (name: { ssh, labels }) for each machine of the swarm",
    ]);
  });

  it("refuses labels that are not lowercase words, on hosts and on agents, with the expected syntax", () => {
    const bad = problems(SWARM.replace("labels: [linux, docker]", "labels: [Linux, 'has space']").replace("labels: [gpu, cuda]", "labels: ['']"));
    expect(bad).toContain(
      `swarm.yaml: hosts.build-1.labels.0: expected a label of lowercase letters, digits, '.', '_' and '-' (at most 48, starting with a letter or digit), got "Linux"`,
    );
    expect(bad.some((p) => p.startsWith("swarm.yaml: hosts.build-1.labels.1: expected a label") && p.endsWith('got "has space"'))).toBe(true);
    expect(bad.some((p) => p.startsWith("swarm.yaml: agents.1.labels.0: expected a label"))).toBe(true);
  });

  it("refuses an ssh target that ssh would read as an option, a bad host name and an unknown host key", () => {
    const bad = problems("hosts:\n  '-oProxyCommand=x': { ssh: -oProxyCommand=touch }\n  ok-1: { port: 22 }\nagents:\n  - { name: api, runtime: shell }\n");
    expect(bad.some((p) => p.includes("hosts.-oProxyCommand=x.ssh: expected an ssh target"))).toBe(true);
    expect(bad.some((p) => p.includes("hosts.-oProxyCommand=x: expected a host name"))).toBe(true);
    expect(bad).toContain("swarm.yaml: hosts.ok-1.port: unknown key");
  });
});

describe("placement", () => {
  it("spreads an agent's replicas round-robin over its hosts, keeping one numbering across hosts", () => {
    const config = parseConfig(SWARM, options);
    expect(placeAgent(config.agents[0]!).map((p) => [p.session, p.host])).toEqual([
      ["backend-api-1", "build-1"],
      ["backend-api-2", "gpu-1"],
      ["backend-api-3", "build-1"],
      ["backend-api-4", "gpu-1"],
    ]);
    // No hosts of its own: spread over every host of the swarm.
    expect(placeAgent(config.agents[2]!).map((p) => p.host)).toEqual(["build-1", "gpu-1", "build-1"]);
  });

  it("gives each host only its own replicas, and session names never repeat across hosts", () => {
    const config = parseConfig(SWARM, options);
    expect(replicasOn(config, "build-1")).toEqual(
      new Map([
        ["backend-api", [1, 3]],
        ["testing", [1, 3]],
        ["solo", [1]],
      ]),
    );
    expect(replicasOn(config, "gpu-1")).toEqual(
      new Map([
        ["backend-api", [2, 4]],
        ["trainer", [1]],
        ["testing", [2]],
      ]),
    );
    const names = placements(config).map((p) => p.session);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("effective labels and routing by needs", () => {
  const config = parseConfig(SWARM, options);
  const agent = (name: string) => config.agents.find((a) => a.name === name)!;

  it("are the agent's own labels plus the labels every host holding one of its replicas shares", () => {
    expect(effectiveLabels(config, agent("backend-api"))).toEqual(["linux"]); // gpu only on one of its hosts: not the agent's
    expect(effectiveLabels(config, agent("trainer"))).toEqual(["cuda", "gpu", "linux"]);
    // One replica over two listed hosts: it lives on build-1 only, so build-1's labels are all its own.
    expect(effectiveLabels(config, agent("solo"))).toEqual(["docker", "linux"]);
  });

  it("picks only agents that have every label needed", () => {
    expect(agentsWithLabels(config, ["gpu"]).map((a) => a.name)).toEqual(["trainer"]);
    expect(agentsWithLabels(config, ["linux"]).map((a) => a.name)).toEqual(["backend-api", "trainer", "testing", "solo"]);
    expect(agentsWithLabels(config, ["gpu", "docker"])).toEqual([]);
  });

  it("reads --needs as comma-separated labels and refuses a bad one", () => {
    expect(parseNeeds("gpu, linux,gpu")).toEqual(["gpu", "linux"]);
    expect(() => parseNeeds("gpu,")).toThrow(UsageError);
    expect(() => parseNeeds("GPU")).toThrow(/--needs: expected a label/);
  });
});

describe("which host a daemon is", () => {
  const config = parseConfig(SWARM, options);

  it("is --host when given, else the machine's hostname; either must be declared", () => {
    expect(resolveHost(config, "gpu-1", "laptop")).toBe("gpu-1");
    expect(resolveHost(config, undefined, "build-1")).toBe("build-1");
    expect(() => resolveHost(config, "gpu-9", "laptop")).toThrow('unknown host "gpu-9"; hosts are build-1, gpu-1');
    expect(() => resolveHost(config, undefined, "laptop")).toThrow(
      `this machine's hostname "laptop" is not a host of ${options.file}; hosts are build-1, gpu-1`,
    );
  });

  it("is none without hosts, where --host is refused", () => {
    const single = parseConfig("agents:\n  - { name: api, runtime: shell }\n", options);
    expect(resolveHost(single, undefined, "laptop")).toBeNull();
    expect(() => resolveHost(single, "gpu-1", "laptop")).toThrow("declares no hosts");
  });
});
