ALTER TABLE "endpoint" ADD COLUMN "pipeline_id" uuid;--> statement-breakpoint
ALTER TABLE "model_version" ADD COLUMN "input_schema" jsonb;--> statement-breakpoint
ALTER TABLE "endpoint" ADD CONSTRAINT "endpoint_pipeline_id_pipeline_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."pipeline"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Existing endpoints belong to the pipeline whose run deployed their current model version.
UPDATE "endpoint" e SET "pipeline_id" = r."pipeline_id"
FROM "model_version" mv JOIN "run" r ON r."id" = mv."run_id"
WHERE mv."id" = e."model_version_id";
