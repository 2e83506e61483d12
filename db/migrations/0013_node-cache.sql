CREATE TABLE "node_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"pipeline_id" uuid,
	"node_id" text NOT NULL,
	"type" text NOT NULL,
	"config" jsonb NOT NULL,
	"inputs" jsonb NOT NULL,
	"outputs" jsonb NOT NULL,
	"metrics" jsonb,
	"run_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "run_node" ADD COLUMN "cache" jsonb;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "use_cache" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "resumed_from" uuid;--> statement-breakpoint
ALTER TABLE "node_cache" ADD CONSTRAINT "node_cache_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_cache" ADD CONSTRAINT "node_cache_pipeline_id_pipeline_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."pipeline"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "node_cache_node_idx" ON "node_cache" USING btree ("pipeline_id","node_id","created_at");