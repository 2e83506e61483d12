-- The prediction log becomes one row per flushed batch (parallel arrays, element i of each being
-- prediction i): Postgres spends about half the CPU per logged prediction that a row per
-- prediction cost it (`npm run bench:log-format`). The logged rows are carried over below; the
-- next migration replaces the old table with a view of the same name and columns.
CREATE TABLE "prediction_log_batches" (
	"endpoint_id" uuid NOT NULL,
	"model_version_id" uuid NOT NULL,
	"shadow" boolean DEFAULT false NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"request_ids" uuid[] NOT NULL,
	"idxs" integer[] NOT NULL,
	"inputs" text[] NOT NULL,
	"predictions" text[] NOT NULL,
	"latencies_ms" double precision[] NOT NULL,
	"created_ats" timestamp with time zone[] NOT NULL
);
--> statement-breakpoint
CREATE INDEX "prediction_log_batches_time_brin" ON "prediction_log_batches" USING brin ("first_at","last_at") WITH (autosummarize=true);--> statement-breakpoint
-- Stored out of line without compression: compressing a batch cost Postgres more CPU than storing it.
ALTER TABLE "prediction_log_batches" ALTER COLUMN "request_ids" SET STORAGE EXTERNAL, ALTER COLUMN "idxs" SET STORAGE EXTERNAL,
  ALTER COLUMN "inputs" SET STORAGE EXTERNAL, ALTER COLUMN "predictions" SET STORAGE EXTERNAL,
  ALTER COLUMN "latencies_ms" SET STORAGE EXTERNAL, ALTER COLUMN "created_ats" SET STORAGE EXTERNAL;--> statement-breakpoint
-- Append-only, as the table before it (migration 0023): no vacuums triggered by inserts, on the
-- table or on its TOAST table (which holds the arrays, a row per 2 kB).
ALTER TABLE "prediction_log_batches" SET (autovacuum_vacuum_insert_threshold = -1, toast.autovacuum_vacuum_insert_threshold = -1, autovacuum_analyze_scale_factor = 1.0, autovacuum_analyze_threshold = 1000);--> statement-breakpoint
-- Carried over under a lock: serving processes of the previous version wait rather than write
-- rows this copy would miss (after it, their COPY into the view of the same name still works).
LOCK TABLE "prediction_log" IN EXCLUSIVE MODE;--> statement-breakpoint
-- A batch per endpoint, model version, role and minute (retention removes whole batches, and the
-- time index bounds reads by them), of at most 5,000 predictions and about 64 MiB of JSON text.
INSERT INTO "prediction_log_batches" ("endpoint_id", "model_version_id", "shadow", "first_at", "last_at", "request_ids", "idxs", "inputs", "predictions", "latencies_ms", "created_ats")
SELECT "endpoint_id", "model_version_id", "shadow", min("created_at"), max("created_at"),
       array_agg("request_id" ORDER BY "n"), array_agg("idx" ORDER BY "n"), array_agg("input" ORDER BY "n"),
       array_agg("prediction" ORDER BY "n"), array_agg("latency_ms" ORDER BY "n"), array_agg("created_at" ORDER BY "n")
  FROM (SELECT *, row_number() OVER "w" AS "n", sum(octet_length("input") + octet_length("prediction")) OVER "w" AS "bytes"
          FROM (SELECT *, date_trunc('minute', "created_at") AS "minute" FROM "prediction_log") AS "m"
        WINDOW "w" AS (PARTITION BY "endpoint_id", "model_version_id", "shadow", "minute" ORDER BY "created_at", "request_id", "idx" ROWS UNBOUNDED PRECEDING)) AS "l"
 GROUP BY "endpoint_id", "model_version_id", "shadow", "minute", ("n" - 1) / 5000, ("bytes" - 1) / 67108864;
