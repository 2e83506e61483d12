CREATE TABLE "retraining" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"alarm_id" uuid,
	"run_id" uuid,
	"run" jsonb,
	"champion_version_id" uuid,
	"challenger_version_id" uuid,
	"status" text DEFAULT 'retraining' NOT NULL,
	"decisions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "purpose" text DEFAULT 'run' NOT NULL;--> statement-breakpoint
ALTER TABLE "retraining" ADD CONSTRAINT "retraining_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retraining" ADD CONSTRAINT "retraining_endpoint_id_endpoint_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoint"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "retraining_endpoint_idx" ON "retraining" USING btree ("endpoint_id","started_at");