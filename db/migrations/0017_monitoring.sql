CREATE TABLE "monitor_alarm" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"model_version_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"psi" double precision NOT NULL,
	"js" double precision NOT NULL,
	"evidence" jsonb NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"webhook" jsonb
);
--> statement-breakpoint
CREATE TABLE "monitor_counts" (
	"endpoint_id" uuid NOT NULL,
	"model_version_id" uuid NOT NULL,
	"role" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"counts" jsonb NOT NULL,
	CONSTRAINT "monitor_counts_endpoint_id_model_version_id_role_minute_pk" PRIMARY KEY("endpoint_id","model_version_id","role","minute")
);
--> statement-breakpoint
ALTER TABLE "endpoint" ADD COLUMN "monitor" jsonb;--> statement-breakpoint
ALTER TABLE "monitor_alarm" ADD CONSTRAINT "monitor_alarm_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alarm" ADD CONSTRAINT "monitor_alarm_endpoint_id_endpoint_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoint"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_counts" ADD CONSTRAINT "monitor_counts_endpoint_id_endpoint_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoint"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "monitor_alarm_open_uq" ON "monitor_alarm" USING btree ("endpoint_id","model_version_id","subject") WHERE resolved_at is null;--> statement-breakpoint
CREATE INDEX "monitor_alarm_endpoint_idx" ON "monitor_alarm" USING btree ("endpoint_id","opened_at");--> statement-breakpoint
CREATE INDEX "monitor_counts_minute_idx" ON "monitor_counts" USING btree ("endpoint_id","minute");