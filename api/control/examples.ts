import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseWorkflow } from "../../workflows/index.js";

let cached: string | null = null;

/**
 * The shipped example workflows (`workflows/examples/`), found from this file
 * upwards: the same folder whether the code runs from dist/ or from source.
 */
export function examplesDir(): string {
  if (cached) return cached;
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "workflows", "examples");
    if (existsSync(join(dir, "package.json")) && readFileSync(join(dir, "package.json"), "utf8").includes('"name": "claude-agent"') && existsSync(candidate)) {
      return (cached = candidate);
    }
    dir = dirname(dir);
  }
  throw new Error("the shipped workflow examples were not found next to the package");
}

/** The shipped examples as `GET /v1/workflows/examples` lists them: name, workflow, description and params. */
export function listExamples(): { name: string; workflow: string; description?: string; params: string[] }[] {
  const dir = examplesDir();
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => {
      // The whole path: relative paths in it (output_schema files) are relative to the examples' folder, wherever the daemon runs.
      const workflow = parseWorkflow(readFileSync(join(dir, file), "utf8"), { file: join(dir, file), agents: undefined });
      return {
        name: file.replace(/\.yaml$/, ""),
        workflow: workflow.name,
        ...(workflow.description ? { description: workflow.description } : {}),
        params: workflow.params.map((p) => p.name),
      };
    });
}
