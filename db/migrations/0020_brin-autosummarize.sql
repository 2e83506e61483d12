-- Summarize each filled block range of the prediction log soon after it fills (autovacuum work
-- items), so reads bounded by time skip the rest; no rebuild: the index is altered in place.
ALTER INDEX "prediction_log_time_brin" SET (autosummarize = on);--> statement-breakpoint
SELECT brin_summarize_new_values('prediction_log_time_brin');
