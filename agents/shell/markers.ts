/** The markers a shell pane prints (see rc.ts), parsed from their fields. */
export type ShellMarker =
  | { kind: "prompt" }
  | { kind: "begin"; token: string; nonce: string }
  /** `outputSaved`: tee's status was 0 (a pane running an older rcfile prints no such field: saved). */
  | { kind: "end"; token: string; nonce: string; exitCode: number; outputSaved: boolean };

export function parseShellMarker(fields: readonly string[]): ShellMarker | null {
  const [kind, token, nonce, code, tee] = fields;
  if (kind === "prompt") return { kind };
  if (!token || !nonce) return null;
  if (kind === "begin") return { kind, token, nonce };
  if (kind === "end") {
    const exitCode = Number.parseInt(code ?? "", 10);
    return Number.isNaN(exitCode) ? null : { kind, token, nonce, exitCode, outputSaved: tee === undefined || tee === "" || tee === "0" };
  }
  return null;
}
