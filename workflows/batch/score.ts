/**
 * Scoring a range of a dataset's rows with a model, as an endpoint scores requests: each row is
 * checked against the model's input fields, the model replays its fitted steps, and the part
 * written holds the rows' own columns, then the prediction, the class probabilities and, for a
 * row that could not be scored, why. Batch-scoring jobs (activities.ts) and the Batch score node
 * both write their parts with it.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import type { Label } from "~/workflows/model/model-file";
import type { LoadedModel } from "~/workflows/model/predictor";
import type { InputField } from "~/workflows/model/signature";
import { validateInstances } from "~/workflows/model/validate";
import { predictionType, type ScoreColumns } from "./columns";

/** Rows scored between heartbeats (and between yields to the event loop). */
const SLICE_ROWS = 5000;

/**
 * Scores rows [start, end) of the Parquet file `source` (by DuckDB's `file_row_number`, so a retry
 * reads the very same rows) into the Parquet file `part`, which keeps `file_row_number` for the
 * merge to order by (and drop).
 */
export async function scoreRange(r: {
  source: string;
  start: number;
  end: number;
  model: LoadedModel;
  fields: InputField[];
  /** The dataset's columns, as stored. */
  columns: ColumnSchema[];
  added: ScoreColumns;
  part: string;
  heartbeat: () => void;
}): Promise<{ rows: number; failed: number }> {
  const { model, fields, added } = r;
  return withDuck(async (conn) => {
    const rowsOf = `(SELECT * FROM read_parquet(${quoteString(r.source)}, file_row_number = true) WHERE file_row_number >= ${r.start} AND file_row_number < ${r.end})`;
    const read = readable(fields, r.columns);
    const list = read.map((c) => (c.type === "number" ? `${quoteIdent(c.name)}::DOUBLE AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
    const res = await conn.runAndReadAll(`SELECT ${["file_row_number", ...list].join(", ")} FROM ${rowsOf} ORDER BY file_row_number`);
    const data = res.getColumnsObjectJS() as Record<string, unknown[]>;
    const positions = (data["file_row_number"] ?? []).map(Number);
    const rows = positions.map((_, i) => Object.fromEntries(read.map((c) => [c.name, data[c.name]![i]])));

    const scored = await scoreRows(model, fields, rows, r.heartbeat);
    await conn.run(`CREATE TABLE scores (rn BIGINT, prediction ${predictionType(model.file)}, ${added.probabilities.map((_, k) => `p${k} DOUBLE, `).join("")}err VARCHAR)`);
    const appender = await conn.createAppender("scores");
    const appendLabel = labelAppender(appender, predictionType(model.file));
    for (let i = 0; i < positions.length; i++) {
      appender.appendBigInt(BigInt(positions[i]!));
      const s = scored[i]!;
      if (s.error === null) appendLabel(s.prediction!);
      else appender.appendNull();
      for (let k = 0; k < added.probabilities.length; k++) {
        const p = s.probabilities?.[added.probabilities[k]!.label];
        if (p === undefined) appender.appendNull();
        else appender.appendDouble(p);
      }
      if (s.error === null) appender.appendNull();
      else appender.appendVarchar(s.error);
      appender.endRow();
    }
    appender.closeSync();
    const columns = [
      `s.prediction AS ${quoteIdent(added.prediction)}`,
      ...added.probabilities.map((p, k) => `s.p${k} AS ${quoteIdent(p.column)}`),
      `s.err AS ${quoteIdent(added.error)}`,
    ];
    await conn.run(
      `COPY (SELECT src.*, ${columns.join(", ")} FROM ${rowsOf} src JOIN scores s ON s.rn = src.file_row_number ORDER BY src.file_row_number) TO ${quoteString(r.part)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    return { rows: positions.length, failed: scored.filter((s) => s.error !== null).length };
  });
}

/** The parts of one dataset, in row order, without the row numbers (for `COPY … TO`). */
export const joinedParts = (parts: string[]) => `(SELECT * EXCLUDE (file_row_number) FROM read_parquet([${parts.map(quoteString).join(", ")}]) ORDER BY file_row_number)`;

/** The model's input fields the dataset has, as the dataset stores them. */
function readable(fields: InputField[], dataset: ColumnSchema[]): ColumnSchema[] {
  const byName = new Map(dataset.map((c) => [c.name, c]));
  return fields.flatMap((f) => byName.get(f.name) ?? []);
}

interface RowScore {
  prediction: Label | null;
  probabilities?: Record<string, number>;
  error: string | null;
}

/**
 * Checks each row as an endpoint checks an instance (a date not written as the model reads it,
 * a spelling of true that is not the source's) and scores the rest, a slice at a time.
 */
async function scoreRows(model: LoadedModel, fields: InputField[], rows: Record<string, unknown>[], heartbeat: () => void): Promise<RowScore[]> {
  const out: RowScore[] = [];
  for (let from = 0; from < rows.length; from += SLICE_ROWS) {
    const slice = rows.slice(from, from + SLICE_ROWS);
    const { errors } = validateInstances(slice, fields);
    const reasons = new Map<number, string[]>();
    for (const e of errors) reasons.set(e.instance, [...(reasons.get(e.instance) ?? []), `${e.field} ${e.message}`]);
    const ok = slice.filter((_, i) => !reasons.has(i)) as Record<string, Label | null>[];
    const scored = model.predictProba ? model.predictProba(ok) : { predictions: model.predict(ok), probabilities: undefined };
    let k = 0;
    for (let i = 0; i < slice.length; i++) {
      const why = reasons.get(i);
      if (why) out.push({ prediction: null, error: why.join("; ") });
      else {
        out.push({ prediction: scored.predictions[k]!, probabilities: scored.probabilities?.[k], error: null });
        k++;
      }
    }
    heartbeat();
    await yieldToLoop();
  }
  return out;
}

function labelAppender(appender: { appendDouble(v: number): void; appendBoolean(v: boolean): void; appendVarchar(v: string): void }, type: ReturnType<typeof predictionType>) {
  if (type === "DOUBLE") return (v: Label) => appender.appendDouble(Number(v));
  if (type === "BOOLEAN") return (v: Label) => appender.appendBoolean(v === true);
  return (v: Label) => appender.appendVarchar(String(v));
}
