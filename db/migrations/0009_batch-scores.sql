CREATE TABLE "batch_score" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"endpoint_slug" text,
	"model_version_id" uuid NOT NULL,
	"dataset_id" uuid,
	"dataset_name" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"rows_total" bigint NOT NULL,
	"chunk_rows" integer NOT NULL,
	"chunks" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"output_columns" jsonb,
	"result_uri" text,
	"result_bytes" bigint,
	"error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "batch_score" ADD CONSTRAINT "batch_score_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_score" ADD CONSTRAINT "batch_score_model_version_id_model_version_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_version"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_score" ADD CONSTRAINT "batch_score_dataset_id_dataset_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."dataset"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "batch_score_workspace_idx" ON "batch_score" USING btree ("workspace_id","created_at");