/** The markers a shell pane prints (see rc.ts), parsed from their fields. */
export type ShellMarker =
  /** `nonce`: the shell's own (rc.ts); empty from a pane started by an older rcfile. */
  | { kind: "prompt"; nonce: string }
  | { kind: "begin"; token: string; nonce: string }
  /** `outputSaved`: tee's status was 0 (a pane running an older rcfile prints no such field: saved). */
  | { kind: "end"; token: string; nonce: string; exitCode: number; outputSaved: boolean };

export function parseShellMarker(fields: readonly string[]): ShellMarker | null {
  const [kind, token, nonce, code, tee] = fields;
  if (kind === "prompt") return { kind, nonce: token ?? "" };
  if (!token || !nonce) return null;
  if (kind === "begin") return { kind, token, nonce };
  if (kind === "end") {
    const exitCode = Number.parseInt(code ?? "", 10);
    return Number.isNaN(exitCode) ? null : { kind, token, nonce, exitCode, outputSaved: tee === undefined || tee === "" || tee === "0" };
  }
  return null;
}
