#!/usr/bin/env node
// The deterministic stand-in for the agent that writes the infrastructure spec: the
// requirements gathered by the input step, as arguments, become a spec (spec.schema.json)
// on stdout. Values are data: nothing here is evaluated or passed to a shell.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    app: { type: "string" },
    root: { type: "string" },
    size: { type: "string", default: "small" },
    port: { type: "string" },
    users: { type: "string", default: "" },
    message: { type: "string", default: "" },
    health: { type: "string", default: "/" },
  },
  strict: true,
});
const app = values.app ?? "";
const html = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const port = Number(values.port);
const spec = {
  name: app,
  hosts: [{ name: `${app}-1`, connection: "local", root: values.root ?? "", size: values.size }],
  packages: ["python3"],
  services: [{ name: app, kind: "static-http", port, directory: "srv/www", health: values.health }],
  users: values.users
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean)
    .map((name) => ({ name, shell: "/bin/sh" })),
  files: [
    { path: "srv/www/index.html", content: `<!doctype html>\n<title>${app}</title>\n<p>${html(values.message || `hello from ${app}`)}</p>\n`, mode: "0644" },
    { path: `etc/${app}/site.conf`, content: `name=${app}\nport=${port}\nsize=${values.size}\n`, mode: "0640" },
  ],
  ports: [{ port, protocol: "tcp", allow_from: "127.0.0.1/32" }],
};
process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
