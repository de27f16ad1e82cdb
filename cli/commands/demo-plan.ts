/** The demo swarm and the tasks it is sent: real shell work, with one failure and one timeout on purpose. */

export const DEMO_CONFIG = `# claude-agent demo swarm: shell specialists (database and deployment serve the example workflows)
agents:
  - name: backend-api
    runtime: shell
    replicas: 2
    cwd: workspace
    routes: [api, endpoint, server, backend]
    timeout: 60
  - name: frontend-ui
    runtime: shell
    replicas: 1
    cwd: workspace
    routes: [ui, frontend, page, css]
    timeout: 60
  - name: database
    runtime: shell
    replicas: 1
    cwd: workspace
    routes: [database, schema, migration, sql, db]
    timeout: 60
  - name: testing
    runtime: shell
    replicas: 1
    cwd: workspace
    routes: [test, tests, check]
    timeout: 60
  - name: deployment
    runtime: shell
    replicas: 1
    cwd: workspace
    routes: [deploy, release, rollback]
    timeout: 60
default_agent: backend-api
`;

export interface DemoTask {
  readonly label: string;
  readonly agent?: string;
  readonly task: string;
  readonly timeout?: number;
  /** What the demo expects, so that it can say whether the swarm behaved. */
  readonly expect: "completed" | "failed" | "timeout";
}

export const DEMO_TASKS: readonly DemoTask[] = [
  {
    label: "scaffold the API's health endpoint",
    agent: "backend-api",
    task: `mkdir -p api && cat > api/health.js <<'EOF'
export function health() { return { status: "ok", uptime: process.uptime() }; }
EOF
echo "created api/health.js ($(wc -c < api/health.js) bytes)"`,
    expect: "completed",
  },
  {
    label: "build the landing page",
    agent: "frontend-ui",
    task: `mkdir -p ui && printf '<!doctype html>\\n<h1>Swarm demo</h1>\\n' > ui/index.html && echo "ui/index.html: $(grep -c . ui/index.html) lines"`,
    expect: "completed",
  },
  {
    label: "compile module A (parallel)",
    agent: "backend-api",
    task: `for step in parse check emit; do echo "module A: $step"; sleep 0.4; done`,
    expect: "completed",
  },
  {
    label: "compile module B (parallel)",
    agent: "backend-api",
    task: `for step in parse check emit; do echo "module B: $step"; sleep 0.4; done`,
    expect: "completed",
  },
  {
    label: "run the tests (routed by keyword)",
    task: `echo "running tests"; for t in health routing login; do echo "  ok  $t"; done; echo "3 passed"`,
    expect: "completed",
  },
  {
    label: "a check that fails on purpose",
    agent: "testing",
    task: `echo "checking api/health.js for a version field"; grep -q version api/health.js || { echo "missing: version" >&2; exit 1; }`,
    expect: "failed",
  },
  {
    label: "a prompt nobody answers (times out)",
    agent: "frontend-ui",
    task: `echo "Deploy to production? [y/N]"; read answer; echo "answer: $answer"`,
    timeout: 3,
    expect: "timeout",
  },
];
