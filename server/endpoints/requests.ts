/** The REST bodies of endpoint operations, validated (a wrong field is a 400 naming it). */
import { z } from "zod";

/** A model version by id, or a registered model's alias (the endpoint then follows the alias). */
export const deployFields = z
  .object({
    modelVersionId: z.string().uuid().optional(),
    model: z.string().min(1).max(200).optional(),
    alias: z.string().min(1).max(40).optional(),
    confirmSchemaChange: z.boolean().optional(),
  })
  .strict();
const oneTarget = (b: { modelVersionId?: string; model?: string; alias?: string }) => (b.modelVersionId ? !b.model && !b.alias : !!b.model && !!b.alias);
const oneTargetMessage = { message: "give modelVersionId, or model and alias (not both)", path: ["modelVersionId"] };
export const deployBody = deployFields.refine(oneTarget, oneTargetMessage);
export const withOneDeployTarget = <T extends z.ZodType<{ modelVersionId?: string; model?: string; alias?: string }>>(schema: T) => schema.refine(oneTarget, oneTargetMessage);
export const rollbackBody = z.object({ revision: z.number().int().positive().max(2_147_483_647), confirmSchemaChange: z.boolean().optional() }).strict();
export const trafficBody = z
  .object({
    variants: z
      .array(
        z
          .object({
            modelVersionId: z.string().uuid(),
            weight: z.number().min(0),
            shadow: z.boolean().optional(),
            guardrail: z
              .object({
                minAccuracy: z.number().min(0).max(1).optional(),
                maxRmse: z.number().positive().optional(),
                minLabelled: z.number().int().min(1).max(1_000_000).optional(),
                maxErrorRate: z.number().min(0).max(1).optional(),
                maxP99Ms: z.number().positive().max(600_000).optional(),
                minRequests: z.number().int().min(10).max(1_000_000).optional(),
              })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .min(1)
      .max(10),
    confirmSchemaChange: z.boolean().optional(),
  })
  .strict();
export const settingsBody = z.object({ access: z.enum(["private", "public"]).optional(), logSample: z.number().min(0).max(1).optional() }).strict();
export const keyBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "must not contain control characters"),
    endpoints: z.array(z.string().max(100)).min(1, "name at least one endpoint, or leave endpoints out for every endpoint of the workspace").max(100).nullish(),
    rateLimit: z.number().int().min(1).max(1_000_000).nullish(),
  })
  .strict();
