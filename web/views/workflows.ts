/**
 * Workflows: run one (a shipped example or pasted YAML, with a form made
 * from its `params`), the executions newest first, and one execution live.
 * The list reloads on every workflow or step event.
 */
import { h, type ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../http.js";
import { useAction } from "./use-action.js";
import type { State } from "../store.js";
import type { ExecutionSummary, ExecutionView, ValidatedWorkflow, WorkflowExample } from "../types.js";
import { ago, clock } from "./format.js";
import { WorkflowRun } from "./workflow-run.js";

export function Workflows(props: { state: State; selected: string | null; now: number }): ComponentChild {
  const [runs, setRuns] = useState<readonly ExecutionSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const epoch = props.state.workflowEpoch;
  useEffect(() => {
    let current = true;
    api<{ runs: ExecutionSummary[] }>("GET", "/v1/workflows/runs")
      .then((loaded) => current && (setRuns(loaded.runs), setError(null)))
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [epoch]);
  const canRun = props.state.session.scopes.includes("submit");
  return h(
    "section",
    { "aria-labelledby": "workflows-h", class: "workflows" },
    h("h2", { id: "workflows-h" }, "Workflows"),
    props.selected ? h(WorkflowRun, { key: props.selected, id: props.selected, state: props.state, now: props.now }) : canRun ? h(RunForm, null) : null,
    error ? h("p", { class: "error", role: "alert" }, error) : null,
    h("h3", null, "Executions"),
    runs.length === 0
      ? h("p", { class: "muted" }, "No executions yet.")
      : h(
          "table",
          { class: "run-list" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Execution", "Workflow", "Status", "Started", "Took", "Waiting for approval"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h(
            "tbody",
            null,
            runs.map((run) =>
              h(
                "tr",
                { key: run.id, "data-run": run.id, class: props.selected === run.id ? "selected" : undefined },
                h("td", null, h("a", { href: `#/workflows/${encodeURIComponent(run.id)}` }, run.id)),
                h("td", null, run.workflow),
                h("td", null, h("span", { class: `status status-${run.status}` }, run.status)),
                h("td", null, clock(run.createdAt)),
                h("td", null, ago((run.finishedAt ? Date.parse(run.finishedAt) : props.now) - Date.parse(run.createdAt))),
                h("td", null, run.waitingApproval.join(", ")),
              ),
            ),
          ),
        ),
  );
}

const YAML = "(paste YAML)";

/** Choose a shipped example or paste YAML; its params become a form once the daemon has validated it. */
function RunForm(): ComponentChild {
  const [examples, setExamples] = useState<readonly WorkflowExample[]>([]);
  const [choice, setChoice] = useState("");
  const [yaml, setYaml] = useState("");
  const [checked, setChecked] = useState<ValidatedWorkflow | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const { busy, error, setError, run: action } = useAction();
  useEffect(() => {
    api<{ examples: WorkflowExample[] }>("GET", "/v1/workflows/examples")
      .then((loaded) => setExamples(loaded.examples))
      .catch(() => setExamples([]));
  }, []);
  const source = (): { example: string } | { yaml: string } | null => (choice === YAML ? (yaml.trim() ? { yaml } : null) : choice ? { example: choice } : null);
  const check = async () => {
    const body = source();
    setChecked(null);
    setError(null);
    if (!body) return;
    await action(async () => {
      const valid = await api<ValidatedWorkflow>("POST", "/v1/workflows/validate", body);
      setChecked(valid);
      setValues(Object.fromEntries(valid.params.map((p) => [p.name, p.default ?? ""])));
    });
  };
  useEffect(() => {
    if (choice !== YAML) void check();
  }, [choice]);
  const run = async (e: Event) => {
    e.preventDefault();
    const body = source();
    if (!body || !checked) return;
    await action(async () => {
      // An empty field means "use the default": a param left out gets its default, a required one is refused by the daemon.
      const params = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
      const started = await api<ExecutionView>("POST", "/v1/workflows/runs", { ...body, params });
      location.hash = `#/workflows/${encodeURIComponent(started.id)}`;
    });
  };
  return h(
    "form",
    { class: "run-form", onSubmit: run, "aria-label": "run a workflow" },
    h(
      "label",
      null,
      "Workflow ",
      h(
        "select",
        { name: "workflow", value: choice, onChange: (e: Event) => (setChoice((e.target as HTMLSelectElement).value), setChecked(null)) },
        h("option", { value: "" }, "choose…"),
        examples.map((example) => h("option", { value: example.name }, example.description ? `${example.name}: ${example.description}` : example.name)),
        h("option", { value: YAML }, YAML),
      ),
    ),
    choice === YAML
      ? h(
          "div",
          { class: "yaml" },
          h("textarea", {
            name: "yaml",
            rows: 10,
            spellcheck: false,
            value: yaml,
            onInput: (e: Event) => (setYaml((e.target as HTMLTextAreaElement).value), setChecked(null)),
          }),
          h("button", { type: "button", disabled: busy || !yaml.trim(), "data-check": "", onClick: () => void check() }, "Check"),
        )
      : null,
    checked
      ? h(
          "fieldset",
          { class: "params" },
          h("legend", null, `${checked.workflow}: ${checked.steps.length} step${checked.steps.length === 1 ? "" : "s"}`),
          checked.params.length === 0 ? h("p", { class: "muted" }, "No params.") : null,
          checked.params.map((param) =>
            h(
              "label",
              { class: "question" },
              param.name,
              param.required ? " (required)" : "",
              param.description ? h("span", { class: "muted" }, ` · ${param.description}`) : null,
              h("input", {
                name: `param-${param.name}`,
                value: values[param.name] ?? "",
                required: param.required && param.default === undefined,
                placeholder: param.default ?? "",
                onInput: (e: Event) => setValues({ ...values, [param.name]: (e.target as HTMLInputElement).value }),
              }),
            ),
          ),
          h("button", { type: "submit", disabled: busy }, "Run"),
        )
      : null,
    error ? h("p", { class: "error", role: "alert" }, error) : null,
  );
}
