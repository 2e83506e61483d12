import { eq } from "drizzle-orm";
import { endpoints } from "../../../db/schema";
import { input, type Executor } from "../executor";
import type { NodeConfig } from "..";

export const executeMonitorEndpoint: Executor<NodeConfig<"monitor-endpoint">> = async (ctx) => {
  const endpoint = input(ctx, "endpoint", "endpoint");
  await ctx.db
    .update(endpoints)
    .set({ monitored: ctx.config.trackPredictions, updatedAt: new Date() })
    .where(eq(endpoints.slug, endpoint.slug));
  return { outputs: {} };
};
