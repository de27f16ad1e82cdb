/**
 * GET /docs: a reference page rendered on the server from the OpenAPI
 * document: plain HTML and CSS, no script and no CDN. Every text from the
 * document is HTML-escaped.
 */
export function docsPage(document: Record<string, unknown>): string {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "other";
      const list = byTag.get(tag) ?? [];
      list.push(operationHtml(method, path, op));
      byTag.set(tag, list);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<section><h2 id="${esc(tag)}">${esc(tag)}</h2>${ops.join("\n")}</section>`).join("\n");
  const toc = [...byTag.keys()].map((tag) => `<a href="#${esc(tag)}">${esc(tag)}</a>`).join(" · ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2327}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f4f5f7;padding:.6rem;overflow:auto;border-radius:4px}
.op{border:1px solid #dcdfe4;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700}.get{color:#0a6b2d}.post{color:#0b4f9c}.delete{color:#a01818}
.scope{float:right;font-size:12px;background:#eef;border-radius:3px;padding:0 .4rem}details summary{cursor:pointer}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). ${toc}</p>
${sections}
</body></html>`;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  "x-scope"?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = op.parameters?.length
    ? `<table><tr><th>parameter</th><th>in</th><th></th></tr>${op.parameters.map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? " *" : ""}</td><td>${esc(p.in)}</td><td>${esc(p.description ?? "")} <code>${esc(JSON.stringify(p.schema))}</code></td></tr>`).join("")}</table>`
    : "";
  const body = op.requestBody
    ? `<details><summary>request body</summary><pre>${esc(JSON.stringify(op.requestBody.content["application/json"]?.schema, null, 2))}</pre></details>`
    : "";
  const responses = Object.entries(op.responses ?? {})
    .map(([code, r]) => `<tr><td>${esc(code)}</td><td>${esc(r.description ?? "")}</td></tr>`)
    .join("");
  return `<div class="op"><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span><code>${esc(path)}</code>${op["x-scope"] ? `<span class="scope">scope: ${esc(op["x-scope"])}</span>` : ""}
<p><b>${esc(op.summary ?? "")}</b>${op.description ? `<br>${esc(op.description)}` : ""}</p>${params}${body}<details><summary>responses</summary><table>${responses}</table></details></div>`;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
