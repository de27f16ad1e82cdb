/**
 * The "needs you" inbox over HTTP, for the web dashboard (and any client):
 * the items waiting for a person, and answering one. The answer goes through
 * the same InboxClient as `claude-agent answer`: checked against what the
 * item asks, applied by whoever waits for it, recorded once with who gave it.
 */
import { z } from "zod/v4";
import { InboxClient } from "../../workflows/index.js";
import { route, type AnyRoute } from "../http/route.js";
import type { ApiDeps } from "../routes/deps.js";

const itemParams = z.object({ id: z.string().regex(/^i-[A-Za-z0-9]{1,32}$/, "expected an inbox item id such as i-4kq9z2") }).strict();
const listQuery = z.object({ all: z.enum(["true", "false"]).optional() }).strict();
const answerBody = z
  .object({
    answer: z.string().max(200).optional().describe("approve or deny (approvals), or the value of an input item's only question"),
    values: z.record(z.string().max(100), z.string().max(65_536)).optional().describe("values by question name (input items)"),
    reason: z.string().max(4096).optional(),
  })
  .strict();
const item = z.record(z.string(), z.unknown()).describe("an inbox item: id, kind, status, title, text, questions, source, createdAt, answer, …");

export function inboxRoutes(deps: ApiDeps): AnyRoute[] {
  const inbox = new InboxClient(deps.control.client, deps.control.workflows);
  return [
    route({
      method: "GET",
      url: "/v1/inbox",
      operationId: "listInbox",
      summary: "Items waiting for a person (workflow approvals and input steps, budgets, policy asks, permission prompts), oldest first",
      tag: "inbox",
      scope: "read",
      query: listQuery,
      responses: {
        200: { description: "open items (with all=true, the newest items of any status)", schema: z.object({ items: z.array(item), open: z.number() }) },
      },
      async handler({ query }) {
        const items = await inbox.list({ all: query.all === "true" });
        return { items, open: items.filter((i) => i.status === "open").length };
      },
    }),
    route({
      method: "POST",
      url: "/v1/inbox/:id/answer",
      operationId: "answerInbox",
      summary: "Answer an inbox item: approve or deny an approval, give an input item its values",
      tag: "inbox",
      scope: "control",
      mutation: true,
      params: itemParams,
      body: answerBody,
      responses: {
        200: { description: "the item, answered", schema: item },
        400: { description: "an answer the item does not take, or an item already answered or withdrawn" },
        404: { description: "no such item" },
      },
      handler: ({ params, body, token }) => inbox.answer(params.id, { word: body.answer, values: body.values, reason: body.reason, by: token?.name ?? "api" }),
    }),
  ];
}
