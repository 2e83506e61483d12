/**
 * Answers go out together, at the end of the event loop's poll phase (`setImmediate`), rather than
 * one by one as each is computed. A write to a loopback or LAN socket wakes the process reading
 * it; written back to back, the answers to all the requests read in the same turn cost a waiting
 * client one wake-up instead of one each. Measured with 32 connections on loopback
 * (`npm run bench:serving`): serving CPU per request ≈ 62 → 45–52 µs, half of it the kernel's
 * (17–20 → 9–10 µs). An answer waits at most for the other requests read in the same turn.
 */
import type { ServerResponse } from "node:http";

interface Answer {
  status: number;
  headers: Record<string, string | number>;
  text: string;
}

const queued = new Map<ServerResponse, Answer>();

function writeQueued() {
  for (const [res, { status, headers, text }] of queued) {
    try {
      res.writeHead(status, headers);
      res.end(text);
    } catch (e) {
      // One broken response must not keep the other answers from going out.
      console.error("[serving] could not write an answer:", (e as Error).message);
      res.destroy();
    }
  }
  queued.clear();
}

/** Whether `res` has its answer, sent or queued. */
export const answered = (res: ServerResponse) => res.headersSent || res.writableEnded || queued.has(res);

/** Queues `res`'s answer for the end of this turn; a response answered already keeps its first answer. */
export function queueAnswer(res: ServerResponse, status: number, headers: Record<string, string | number>, text: string) {
  if (answered(res)) return;
  queued.set(res, { status, headers, text });
  if (queued.size === 1) setImmediate(writeQueued);
}
