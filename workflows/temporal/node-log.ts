/**
 * A node attempt's log: lines buffered in the worker and written in batches (with the progress,
 * every second, and when the attempt ends), at most MAX_LINES per attempt — beyond, one line says
 * how many were left out. Every line goes through `clean` (secrets, local paths) first.
 */
import type { Db } from "~/db/client";
import { runLogs } from "~/db/schema";

const MAX_LINES = 1000;
const MAX_MESSAGE = 2000;

type Level = "info" | "warn" | "error";

export class NodeLog {
  private buffer: (typeof runLogs.$inferInsert)[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly nodeId: string,
    private readonly attempt: number,
    private readonly clean: (text: string) => string,
  ) {}

  add(level: Level, message: string, fields?: Record<string, unknown>) {
    if (this.kept >= MAX_LINES) {
      this.dropped++;
      return this;
    }
    this.kept++;
    let cleanFields: Record<string, unknown> | null = null;
    if (fields && Object.keys(fields).length) {
      try {
        cleanFields = JSON.parse(this.clean(JSON.stringify(fields))) as Record<string, unknown>;
      } catch {
        cleanFields = { note: "fields could not be written" };
      }
    }
    this.buffer.push({ runId: this.runId, nodeId: this.nodeId, attempt: this.attempt, at: new Date(), level, message: this.clean(message).slice(0, MAX_MESSAGE), fields: cleanFields });
    return this;
  }

  async flush() {
    if (this.dropped && this.kept >= MAX_LINES) {
      this.buffer.push({ runId: this.runId, nodeId: this.nodeId, attempt: this.attempt, at: new Date(), level: "warn", message: `${this.dropped} more lines were left out (at most ${MAX_LINES} per attempt)`, fields: null });
      this.dropped = 0;
    }
    if (!this.buffer.length) return;
    const rows = this.buffer.splice(0);
    await this.db.insert(runLogs).values(rows);
  }
}
