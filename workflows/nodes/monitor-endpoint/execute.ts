import { eq } from "drizzle-orm";
import { endpoints } from "~/db/schema";
import { defineExecutor, input } from "../executor";
import { spec } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const endpoint = input(ctx, "endpoint", "endpoint");
    await ctx.db
      .update(endpoints)
      .set({ monitored: ctx.config.trackPredictions, updatedAt: new Date() })
      .where(eq(endpoints.slug, endpoint.slug));
    return { outputs: {} };
  },
});
