/**
 * Issue 11, finding 1, without a swarm: the shell rendering against bash itself
 * in every quoting context we know of, the engine's choice between a shell
 * rendering and a prompt's text, and the refusal of constructs that would run
 * a value. (workflow-injection.test.ts runs the same attacks on a real swarm.)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SwarmClient } from "../../client/index.js";
import { MemoryExecutionStore, renderShell, renderTemplate, SwarmStepRunner, WorkflowEngine, workflowFromObject } from "../../workflows/index.js";
import { ScriptedRunner } from "../../workflows/testing/scripted-runner.js";

const work = mkdtempSync(join(tmpdir(), "ca-wfrender-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every attack of the finding at once, plus a few more: each would create a file in the working folder. */
const EVIL = `bob"; touch dq; echo " $(touch sub) \`touch bq\` '; touch sq; echo ' \${IFS}$'\\x27'; touch ansi; #\ntouch nl\nEOF\ntouch heredoc\n*`;

function runBash(script: string, env: Readonly<Record<string, string>>): { stdout: string; stderr: string; created: string[] } {
  const cwd = mkdtempSync(join(work, "run-"));
  // stdin not a socket: bash would take that for sshd and read ~/.bashrc.
  const result = spawnSync("bash", ["-c", script], { cwd, env: { PATH: process.env.PATH, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { stdout: result.stdout, stderr: result.stderr, created: readdirSync(cwd) };
}

describe("shell rendering, run by bash", () => {
  const ctx = { params: { x: EVIL, empty: "" }, steps: { fetch: { output: `${EVIL}\n\n`, exitCode: 0 } } };
  const cases: Array<[string, string, string]> = [
    ["double quotes", 'printf "<%s>" "a {{params.x}} b"', `<a ${EVIL} b>`],
    ["a bare word", "printf '<%s>' {{params.x}}-{{steps.fetch.output}}", `<${EVIL}-${EVIL}>`],
    ["single quotes", "printf '<%s>' 'a {{params.x}} b'", `<a ${EVIL} b>`],
    ["$'…'", "printf '<%s>' $'a\\t{{params.x}}'", `<a\t${EVIL}>`],
    ["a comment line", "# about {{params.x}}\nprintf ok", "ok"],
    ["a quoted heredoc", "cat <<'EOF'\n$HOME `x` \\ {{params.x}}\nEOF", `$HOME \`x\` \\ ${EVIL}\n`],
    ["an unquoted heredoc", "cat <<EOF\n{{steps.fetch.output}}\nEOF", `${EVIL}\n`],
    ["a tab-stripped heredoc", "cat <<-'END'\n\t{{params.x}}\n\tEND", `${EVIL}\n`],
    ["$(…) inside double quotes, single quotes inside", `printf '<%s>' "$(printf '%s' '{{params.x}}')"`, `<${EVIL}>`],
    ["an assignment", 'v={{params.x}}; printf "<%s>" "$v"', `<${EVIL}>`],
    ["a here-string", "cat <<< {{params.x}}", `${EVIL}\n`],
    ["a case pattern", 'case "{{params.x}}" in {{params.x}}) printf match ;; *) printf no ;; esac', "match"],
    ["a for list (one word, not split)", "for w in {{params.x}}; do printf '<%s>' \"$w\"; done", `<${EVIL}>`],
    ["[[ == ]] (a string, not a pattern)", '[[ "bob" == {{params.x}} ]] && printf same || printf differ', "differ"],
    ["bash -c with the value as an argument", 'bash -c \'printf "<%s>" "$1"\' _ {{params.x}}', `<${EVIL}>`],
    ["an empty value", 'printf "<%s>" "{{params.empty}}"', "<>"],
  ];
  it.each(cases)("%s: runs nothing from the value and prints it as it is", (_name, template, expected) => {
    const rendered = renderShell(template, ctx);
    expect(rendered.text).not.toContain("touch");
    const run = runBash(rendered.text, rendered.env);
    expect(run.created, run.stderr).toEqual([]);
    expect(run.stdout).toBe(expected);
  });

  it("takes any output as a value, such as 100,000 newlines and a letter (a backtracking regex used to hold the daemon for a minute)", () => {
    const steps = { big: { output: `${"\n".repeat(100_000)}x\n\n`, exitCode: 0 } };
    expect(renderShell("echo {{steps.big.output}}", { params: {}, steps }).env.CA_STEP_BIG_OUTPUT).toBe(`${"\n".repeat(100_000)}x`);
    expect(renderTemplate("{{steps.big.output}}", { params: {}, steps })).toBe(`${"\n".repeat(100_000)}x`);
  });

  it("stops the script, instead of running it with an empty value, when a variable did not arrive", () => {
    const rendered = renderShell('rm -rf "{{params.x}}/"* ; echo after', ctx);
    const run = runBash(rendered.text, {});
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("CA_PARAM_X: parameter not set");
  });

  it.each([
    ["a command name", "{{params.x}} --help", "is used as a command name"],
    ["the command sudo runs", "sudo -n {{params.x}}", "is used as the command that sudo runs"],
    ["eval", 'eval "{{params.x}}"', "is run as code by eval"],
    ["source", "source {{params.x}}", "is run as code by source"],
    ["bash -c's program", 'bash -c "echo {{params.x}}"', "is in the program that bash runs"],
    ["python -c's program", "python3 -c 'print(\"{{params.x}}\")'", "is in the program that python3 runs"],
    ["node -e's program", 'node -e "{{params.x}}"', "is in the program that node runs"],
    ["a pipe into a shell", 'echo "{{params.x}}" | sh', "is fed to sh"],
    ["a heredoc into a shell", "bash <<EOF\necho {{params.x}}\nEOF", "is fed to bash"],
    ["backquotes", "echo `echo {{params.x}}`", "is inside backquotes"],
    ["$((…))", "echo $(( {{params.x}} + 1 ))", "is inside an arithmetic expression"],
    ["((…))", "(( n = {{params.x}} ))", "is inside an arithmetic expression"],
    ["a numeric test", '[ "{{params.x}}" -gt 3 ]', "with a numeric test"],
    ["${…}", 'echo "${v:-{{params.x}}}"', "is inside a ${…} expansion"],
    ["an array subscript", "a[{{params.x}}]=1", "is part of a variable's name"],
    ["an integer variable", "declare -i n\nn={{params.x}}", "declared an integer"],
    ["read's variable", "read -r {{params.x}} < /dev/null", "names a variable for read"],
    ["sed's program", "sed 's/a/{{params.x}}/' f", "is the program that sed runs"],
    ["ssh", "ssh host ls {{params.x}}", "is sent to ssh"],
    ["a backslash before it", "echo \\{{params.x}}", "follows a backslash"],
  ])("refuses %s: the value would be run whatever its quoting", (_name, template, why) => {
    expect(() => renderShell(template, ctx)).toThrow(why);
  });
});

describe("the engine renders for the agent that runs the step", () => {
  const definition = workflowFromObject(
    {
      name: "targets",
      params: { x: { default: EVIL } },
      steps: [
        { id: "s", agent: "a1", task: 'echo "{{params.x}}"', gate: "test -n '{{steps.s.output}}'" },
        { id: "bad", agent: "a1", depends_on: "s", task: "{{steps.s.output}}" },
      ],
    },
    { file: "wf.yaml", agents: ["a1"] },
  );

  it("a program agent (prompt) gets the text itself and no variables", async () => {
    const runner = new ScriptedRunner("text").on("s", "step", { output: "out" });
    const engine = new WorkflowEngine({ store: new MemoryExecutionStore(), runner, pollMs: 20 });
    await engine.start({ ...definition, steps: definition.steps.slice(0, 1) });
    const [task, gate] = [runner.callsOf("s", "step")[0]!.req, runner.callsOf("s", "gate")[0]!.req];
    expect(task.task).toBe(`echo "${EVIL}"`);
    expect(task.env).toBeUndefined();
    expect(gate.task).toBe("test -n 'out'");
  });

  it("a shell agent gets references and the values as variables; a step that would run a value fails unsubmitted", async () => {
    const runner = new ScriptedRunner("shell").on("s", "step", { output: "out\n" });
    const engine = new WorkflowEngine({ store: new MemoryExecutionStore(), runner, pollMs: 20 });
    const final = await engine.start(definition);
    const [task, gate] = [runner.callsOf("s", "step")[0]!.req, runner.callsOf("s", "gate")[0]!.req];
    expect(task).toMatchObject({ task: 'echo "${CA_PARAM_X?}"', env: { CA_PARAM_X: EVIL } });
    expect(gate).toMatchObject({ task: "test -n ''\"${CA_STEP_S_OUTPUT?}\"''", env: { CA_STEP_S_OUTPUT: "out" } });
    expect(runner.callsOf("bad")).toEqual([]);
    expect(final.steps.bad).toMatchObject({ status: "failed" });
    expect(final.steps.bad?.reason).toContain("{{steps.s.output}} is used as a command name");
  });

  it("the swarm's runner renders shell agents' steps as shell and agent programs' steps (routes too) as text", () => {
    const config = {
      agents: [
        { name: "sh", runtime: "shell", routes: ["build"] },
        { name: "coder", runtime: "claude", routes: ["review"] },
      ],
    };
    const runner = new SwarmStepRunner({ config } as unknown as SwarmClient);
    expect(runner.resolve({ agent: "sh" })).toEqual({ agent: "sh", mode: "shell" });
    expect(runner.resolve({ agent: "coder" })).toEqual({ agent: "coder", mode: "text" });
    expect(runner.resolve({ route: "please review this" })).toEqual({ agent: "coder", mode: "text" });
    expect(runner.resolve({ agent: "unknown" })).toEqual({ agent: "unknown", mode: "shell" });
  });
});
