ALTER TABLE "run" ADD COLUMN "metrics" jsonb;--> statement-breakpoint
CREATE INDEX "run_workspace_idx" ON "run" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "run_workspace_status_idx" ON "run" USING btree ("workspace_id","status","created_at");--> statement-breakpoint
UPDATE "run" r SET "metrics" = m.metrics FROM (
  SELECT n.run_id, jsonb_object_agg(kv.key, kv.value) AS metrics
  FROM "run_node" n, jsonb_each(n.outputs) o, jsonb_each(o.value -> 'values') kv
  WHERE n.outputs IS NOT NULL AND o.value ->> 'kind' = 'metrics' AND jsonb_typeof(kv.value) = 'number'
  GROUP BY n.run_id
) m WHERE m.run_id = r.id;
