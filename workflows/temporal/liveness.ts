/**
 * Every activity attempt heartbeats each second while it runs, whatever it does: a proxy with a
 * `heartbeatTimeout` then learns of a killed worker within that timeout, not at the end of its
 * (longer) start-to-close timeout. Activities that heartbeat themselves (node executors, batch
 * chunks) are unaffected: the SDK throttles heartbeats.
 */
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from "@temporalio/worker";

export const heartbeatWhileRunning: ActivityInterceptorsFactory = (ctx) => {
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input, next) {
      const beat = setInterval(() => ctx.heartbeat(), 1000);
      try {
        return await next(input);
      } finally {
        clearInterval(beat);
      }
    },
  };
  return { inbound };
};
