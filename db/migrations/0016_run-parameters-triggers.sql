CREATE TABLE "pipeline_trigger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"dataset_name" text NOT NULL,
	"parameter" text,
	"paused" boolean DEFAULT false NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_dataset_id" uuid,
	"last_run_id" uuid,
	"last_fired_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "trigger_id" uuid;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "parameters" jsonb;--> statement-breakpoint
ALTER TABLE "pipeline_trigger" ADD CONSTRAINT "pipeline_trigger_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipeline_trigger" ADD CONSTRAINT "pipeline_trigger_pipeline_id_pipeline_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."pipeline"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pipeline_trigger_name_idx" ON "pipeline_trigger" USING btree ("pipeline_id","dataset_name");--> statement-breakpoint
CREATE INDEX "pipeline_trigger_ws_idx" ON "pipeline_trigger" USING btree ("workspace_id","dataset_name");--> statement-breakpoint
CREATE INDEX "dataset_name_idx" ON "dataset" USING btree ("workspace_id","name","created_at");