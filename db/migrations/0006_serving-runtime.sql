CREATE TABLE "prediction_feedback" (
	"request_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"label" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prediction_feedback_request_id_idx_pk" PRIMARY KEY("request_id","idx")
);
--> statement-breakpoint
CREATE TABLE "prediction_log" (
	"request_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"model_version_id" uuid NOT NULL,
	"shadow" boolean DEFAULT false NOT NULL,
	"input" text NOT NULL,
	"prediction" text NOT NULL,
	"latency_ms" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "serving_key" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"endpoints" jsonb,
	"rate_limit" integer,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "serving_key_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
ALTER TABLE "deployment" ALTER COLUMN "node_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "deployment" ADD COLUMN "revision" integer;--> statement-breakpoint
-- Existing deployments become the revision history, numbered in the order they happened.
UPDATE "deployment" d SET "revision" = r.n FROM (SELECT "id", row_number() OVER (PARTITION BY "endpoint_id" ORDER BY "created_at", "id") AS n FROM "deployment") r WHERE r."id" = d."id";--> statement-breakpoint
ALTER TABLE "deployment" ALTER COLUMN "revision" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "deployment" ADD COLUMN "kind" text DEFAULT 'deploy' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployment" ADD COLUMN "traffic" jsonb;--> statement-breakpoint
ALTER TABLE "deployment" ADD COLUMN "actor_user_id" text;--> statement-breakpoint
-- Endpoints that exist keep answering their callers (public); new ones are private by default.
ALTER TABLE "endpoint" ADD COLUMN "access" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "endpoint" ALTER COLUMN "access" SET DEFAULT 'private';--> statement-breakpoint
ALTER TABLE "endpoint" ADD COLUMN "traffic" jsonb;--> statement-breakpoint
ALTER TABLE "endpoint" ADD COLUMN "log_sample" double precision DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "endpoint" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
UPDATE "endpoint" e SET "revision" = GREATEST(1, (SELECT count(*) FROM "deployment" d WHERE d."endpoint_id" = e."id"));--> statement-breakpoint
ALTER TABLE "prediction_feedback" ADD CONSTRAINT "prediction_feedback_endpoint_id_endpoint_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoint"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "serving_key" ADD CONSTRAINT "serving_key_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "serving_key" ADD CONSTRAINT "serving_key_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prediction_feedback_endpoint_idx" ON "prediction_feedback" USING btree ("endpoint_id","created_at");--> statement-breakpoint
CREATE INDEX "prediction_log_time_brin" ON "prediction_log" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "serving_key_workspace_idx" ON "serving_key" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deployment_endpoint_revision_uq" ON "deployment" USING btree ("endpoint_id","revision");--> statement-breakpoint
-- Serving processes keep endpoints and keys in memory and learn of every change from these
-- notifications (delivered at commit); a periodic reconcile covers a missed one.
CREATE FUNCTION "millrace_notify_endpoint"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('millrace_serving', 'endpoint:' || COALESCE(NEW."slug", OLD."slug"));
  RETURN NULL;
END $$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER "endpoint_notify" AFTER INSERT OR UPDATE OR DELETE ON "endpoint" FOR EACH ROW EXECUTE FUNCTION "millrace_notify_endpoint"();--> statement-breakpoint
CREATE FUNCTION "millrace_notify_keys"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('millrace_serving', 'keys');
  RETURN NULL;
END $$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER "serving_key_notify" AFTER INSERT OR UPDATE OF "revoked_at", "endpoints", "rate_limit" OR DELETE ON "serving_key" FOR EACH STATEMENT EXECUTE FUNCTION "millrace_notify_keys"();
