/**
 * The login page: the one-time code printed by `claude-agent web`, typed in
 * or carried in the address's fragment (`#code=…`, which browsers never send
 * to a server and which is removed from the address bar at once).
 */
import { h, type ComponentChild } from "preact";
import { useState } from "preact/hooks";
import { api } from "../http.js";
import { useAction } from "./use-action.js";
import type { SessionInfo } from "../types.js";

export function Login(props: { initialCode: string; onLogin: (session: SessionInfo) => void; initialError: string | null }): ComponentChild {
  const [code, setCode] = useState(props.initialCode);
  const { busy, error, run } = useAction(props.initialError);
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => props.onLogin(await api<SessionInfo>("POST", "/web/login", { code: code.trim() })));
  };
  return h(
    "main",
    { class: "login" },
    h("h1", null, "claude-agent"),
    h(
      "form",
      { onSubmit: submit, "aria-describedby": "login-help" },
      h("label", { for: "code" }, "Login code"),
      h("input", {
        id: "code",
        name: "code",
        autoComplete: "one-time-code",
        autoFocus: true,
        value: code,
        onInput: (e: Event) => setCode((e.target as HTMLInputElement).value),
        placeholder: "XXXX-XXXX-XXXX",
      }),
      h("button", { type: "submit", disabled: busy || code.trim() === "" }, busy ? "Logging in…" : "Log in"),
      error ? h("p", { class: "error", role: "alert" }, error) : null,
      h(
        "p",
        { id: "login-help", class: "help" },
        "Run ",
        h("code", null, "claude-agent web"),
        " on the swarm's machine for a code. It works once, for 2 minutes.",
      ),
    ),
  );
}
