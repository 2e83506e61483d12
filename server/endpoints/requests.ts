/** The REST bodies of endpoint operations, validated (a wrong field is a 400 naming it). */
import { z } from "zod";

export const deployBody = z.object({ modelVersionId: z.string().uuid(), confirmSchemaChange: z.boolean().optional() }).strict();
export const rollbackBody = z.object({ revision: z.number().int().positive(), confirmSchemaChange: z.boolean().optional() }).strict();
export const trafficBody = z
  .object({
    variants: z.array(z.object({ modelVersionId: z.string().uuid(), weight: z.number().min(0), shadow: z.boolean().optional() }).strict()).min(1).max(10),
    confirmSchemaChange: z.boolean().optional(),
  })
  .strict();
export const settingsBody = z.object({ access: z.enum(["private", "public"]).optional(), logSample: z.number().min(0).max(1).optional() }).strict();
export const keyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    endpoints: z.array(z.string()).max(100).nullish(),
    rateLimit: z.number().int().min(1).max(1_000_000).nullish(),
  })
  .strict();
