CREATE TABLE "model_alias" (
	"name" text NOT NULL,
	"alias" text NOT NULL,
	"workspace_id" uuid NOT NULL,
	"model_version_id" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_alias_name_alias_pk" PRIMARY KEY("name","alias")
);
--> statement-breakpoint
ALTER TABLE "model_version" ADD COLUMN "pipeline_id" uuid;--> statement-breakpoint
ALTER TABLE "model_alias" ADD CONSTRAINT "model_alias_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_alias" ADD CONSTRAINT "model_alias_model_version_id_model_version_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_version"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_pipeline_id_pipeline_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."pipeline"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Versions registered before this record their pipeline through their run.
UPDATE "model_version" mv SET "pipeline_id" = r."pipeline_id" FROM "run" r WHERE r."id" = mv."run_id" AND mv."pipeline_id" IS NULL;
