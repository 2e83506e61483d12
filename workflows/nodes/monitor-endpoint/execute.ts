import { eq } from "drizzle-orm";
import { endpoints } from "~/db/schema";
import { defineExecutor, input } from "../executor";
import { parseFeatureAlarms, spec } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const endpoint = input(ctx, "endpoint", "endpoint");
    const c = ctx.config;
    await ctx.db
      .update(endpoints)
      .set({
        monitored: c.trackPredictions,
        monitor: {
          windowMinutes: c.windowMinutes,
          windowRequests: c.windowRequests,
          minRows: c.minRows,
          psiWarn: c.psiWarn,
          psiAlarm: c.psiAlarm,
          jsAlarm: c.jsAlarm,
          featureAlarms: parseFeatureAlarms(c.featureAlarms) ?? {},
          onAlarm: c.onAlarm,
          gateMargin: c.gateMargin,
          shadowRequests: c.shadowRequests,
          shadowMinutes: c.shadowMinutes,
          webhookUrl: c.webhookUrl || undefined,
          webhookSecret: c.webhookSecret || undefined,
        },
        updatedAt: new Date(),
      })
      .where(eq(endpoints.slug, endpoint.slug));
    ctx.log(c.trackPredictions ? `watching /${endpoint.slug} for drift` : `counting requests of /${endpoint.slug}`, { window: c.windowRequests > 0 ? `${c.windowRequests} rows` : `${c.windowMinutes} min` });
    return { outputs: {} };
  },
});
