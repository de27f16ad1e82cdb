import type { Command } from "commander";
import type { ProgramContext } from "./context.js";

/** Setting up and integrating: `login`, `doctor`, `notify test`, `api token …`, `mcp`, `demo`. */
export function setupCommands(cli: Command, { home, remote, act }: ProgramContext): void {
  cli
    .command("login")
    .description("sign an agent's program in (claude, codex, gemini, qwen), in the agent's own config folder, on this terminal")
    .argument("<agent>", "the agent")
    .option("--config <file>", "swarm.yaml to use (default: ./swarm.yaml, then $CLAUDE_AGENT_HOME/swarm.yaml)")
    .action(act(async (agent, opts) => (await import("../commands/login.js")).login(agent, { ...opts, home: home() })));

  cli
    .command("doctor")
    .description("check tmux, redis-server, Node, the home and Redis, list the agent programs installed (and ready), and say how to fix problems")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/doctor.js")).doctor({ ...opts, home: home() })));

  const notify = cli
    .command("notify")
    .description("notifications (notify: in swarm.yaml): webhooks, desktop, a command of yours")
    .addHelpText("after", "\nThe daemon sends them as events happen; targets, events and payloads: docs/NOTIFY.md.");
  notify
    .command("test")
    .description("send a test notification to each target now, from this process (no daemon needed); exit 1 if one fails")
    .option("--target <name>", "only this target (its `name`, or type and position such as webhook-1)")
    .option("--config <file>", "swarm.yaml to use (default: ./swarm.yaml, then $CLAUDE_AGENT_HOME/swarm.yaml)")
    .option("--json", "print JSON: { ok, targets }")
    .action(act(async (opts) => (await import("../commands/notify.js")).notifyTest({ ...opts, home: home() })));

  const api = cli.command("api").description("the HTTP API's tokens (the API itself runs in the daemon: api: in swarm.yaml)");
  const token = api.command("token").description("bearer tokens for the HTTP API and /mcp (stored hashed)");
  token
    .command("create")
    .description("create a token and print it once")
    .option("--name <name>", "a name for the token (shown in the audit trail)")
    .option("--read-only", "only the read scope")
    .option("--scope <scopes...>", "scopes: read, submit, control, terminal (default: read,submit,control)")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/api-token.js")).create({ ...opts, home: home() })));
  token
    .command("list")
    .description("the tokens: name, id, scopes, creation time (never the token)")
    .option("--json", "print JSON")
    .action(act(async (opts) => (await import("../commands/api-token.js")).list({ ...opts, home: home() })));
  token
    .command("revoke")
    .description("revoke a token by name or id (within a second)")
    .argument("<name>", "token name or id")
    .option("--json", "print JSON")
    .action(act(async (name, opts) => (await import("../commands/api-token.js")).revoke(name, { ...opts, home: home() })));

  cli
    .command("mcp")
    .description("an MCP server on stdio for this swarm (claude mcp add swarm -- claude-agent mcp)")
    .action(
      act(async () => {
        const r = await remote();
        return r ? r.commands.mcp(r.target) : (await import("../commands/mcp.js")).mcp({ home: home() });
      }),
    );

  cli
    .command("demo")
    .description("start a demo swarm of shell specialists, send it real tasks, show the results")
    .option("--keep", "leave the demo swarm running afterwards")
    .option("--json", "print the results as JSON")
    .action(act(async (opts) => (await import("../commands/demo.js")).demo({ ...opts, home: home() })));
}
