import type { FastifyReply } from "fastify";

/** A signal that aborts when the client goes away before its answer is written, so a long-poll stops waiting for nobody. */
export function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error("the client closed the connection"));
  });
  return controller.signal;
}
