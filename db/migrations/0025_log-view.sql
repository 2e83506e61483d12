DROP TABLE "prediction_log" CASCADE;--> statement-breakpoint
-- The log one row per prediction, as it was a table before: what feedback, live scores and the
-- monitoring page read. batch_first_at and batch_last_at bound a read by time through the BRIN
-- index (a condition on created_at alone is checked after unnesting every batch).
CREATE VIEW "prediction_log" AS
SELECT "l"."request_id", "l"."idx", "b"."endpoint_id", "b"."model_version_id", "b"."shadow", "l"."input", "l"."prediction",
       "l"."latency_ms", "l"."created_at", "b"."first_at" AS "batch_first_at", "b"."last_at" AS "batch_last_at"
  FROM "prediction_log_batches" AS "b"
  CROSS JOIN LATERAL unnest("b"."request_ids", "b"."idxs", "b"."inputs", "b"."predictions", "b"."latencies_ms", "b"."created_ats")
    AS "l"("request_id", "idx", "input", "prediction", "latency_ms", "created_at");--> statement-breakpoint
ALTER VIEW "prediction_log" ALTER COLUMN "shadow" SET DEFAULT false;--> statement-breakpoint
ALTER VIEW "prediction_log" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
-- A row inserted into the view (tests, benchmarks, SQL by hand) is a batch of one.
CREATE FUNCTION "prediction_log_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The table's NOT NULL constraints, which the arrays' elements would not have.
  IF NEW."request_id" IS NULL OR NEW."idx" IS NULL OR NEW."endpoint_id" IS NULL OR NEW."model_version_id" IS NULL OR NEW."shadow" IS NULL
     OR NEW."input" IS NULL OR NEW."prediction" IS NULL OR NEW."latency_ms" IS NULL OR NEW."created_at" IS NULL THEN
    RAISE EXCEPTION 'a logged prediction needs request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms and created_at' USING ERRCODE = 'not_null_violation';
  END IF;
  INSERT INTO "prediction_log_batches" ("endpoint_id", "model_version_id", "shadow", "first_at", "last_at", "request_ids", "idxs", "inputs", "predictions", "latencies_ms", "created_ats")
  VALUES (NEW."endpoint_id", NEW."model_version_id", NEW."shadow", NEW."created_at", NEW."created_at", ARRAY[NEW."request_id"], ARRAY[NEW."idx"],
          ARRAY[NEW."input"], ARRAY[NEW."prediction"], ARRAY[NEW."latency_ms"], ARRAY[NEW."created_at"]);
  NEW."batch_first_at" := NEW."created_at";
  NEW."batch_last_at" := NEW."created_at";
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "prediction_log_insert" INSTEAD OF INSERT ON "prediction_log" FOR EACH ROW EXECUTE FUNCTION "prediction_log_insert"();
