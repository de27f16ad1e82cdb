/** The markers a shell pane prints (see rc.ts), parsed from their fields. */
export type ShellMarker =
  | { kind: "prompt" }
  | { kind: "begin"; token: string; nonce: string }
  | { kind: "end"; token: string; nonce: string; exitCode: number };

export function parseShellMarker(fields: readonly string[]): ShellMarker | null {
  const [kind, token, nonce, code] = fields;
  if (kind === "prompt") return { kind };
  if (!token || !nonce) return null;
  if (kind === "begin") return { kind, token, nonce };
  if (kind === "end") {
    const exitCode = Number.parseInt(code ?? "", 10);
    return Number.isNaN(exitCode) ? null : { kind, token, nonce, exitCode };
  }
  return null;
}
