/**
 * The task as the command policy should judge it: `$NAME`, `${NAME}` and `${NAME?}` of its
 * own variables (a workflow step's `CA_PARAM_*`, `CA_STEP_*`) replaced by their values, so
 * `rm -rf "${CA_PARAM_DIR?}"` with `/` is judged as `rm -rf "/"`, by the client at submit and
 * by the bridge before dispatch. Only for the policy's eyes: what runs is the task itself.
 */
export function expandForPolicy(task: string, env: Readonly<Record<string, string>>): string {
  return task.replace(/\$\{(CA_[A-Z0-9_]+)\??\}|\$(CA_[A-Z0-9_]+)/g, (whole, braced?: string, bare?: string) => {
    const value = env[braced ?? bare ?? ""];
    return value === undefined ? whole : value;
  });
}
