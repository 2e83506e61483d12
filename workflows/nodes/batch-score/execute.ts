/**
 * The batch score node: the batch-scoring job's scoring (workflows/batch/score.ts) on a run's own
 * model and dataset — the same checks, the same replay of the model's fitted steps, the same
 * added columns — in parts of CHUNK_ROWS rows, joined in the input's order.
 */
import path from "node:path";
import { UserError } from "~/lib/errors";
import { scoreColumns, scoringProblems } from "~/workflows/batch/columns";
import { joinedParts, scoreRange } from "~/workflows/batch/score";
import { describe, parquet, quoteString, withDuck } from "~/workflows/data/duck";
import { parseModelFile, type ModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { inputColumns, neededColumns, type InputField } from "~/workflows/model/signature";
import { pendingSteps } from "../evaluate/execute";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { spec } from "./spec";

/** Rows scored per part (each part's rows are objects while it is scored). */
export const CHUNK_ROWS = 20_000;

const ROWS_NAME = "rows to score";

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { artifacts } = ctx;
  const modelRef = input(ctx, "model", "model");
  const src = input(ctx, "dataset", "dataset");
  const file = parseModelFile(await artifacts.getBytes(modelRef.uri));
  // Rows as ingested get every fitted step, as an endpoint's requests do; rows already through
  // the first steps of the model's path get the rest (anything else would score nonsense).
  const pending = pendingSteps(file, src.lineage.steps, { name: "the rows to score", fix: "connect rows as ingested (or from the same steps as the model's training data)" });
  const model = loadModel({ ...file, lineage: { ...file.lineage, steps: pending } } as ModelFile);
  const fields = pending.length === file.lineage.steps.length ? inputColumns(file) : preparedFields(neededColumns(pending, file.features), src.columns);
  const problems = scoringProblems(fields, src.columns, ROWS_NAME);
  if (problems.length) throw new UserError(problems.join("; "));
  const added = scoreColumns(file, src.columns, ctx.config.probabilities && !!model.predictProba);

  const source = await artifacts.localPath(src.uri);
  const dir = await ctx.scratchDir();
  const parts: string[] = [];
  let failed = 0;
  for (let start = 0; start < src.rows || parts.length === 0; start += CHUNK_ROWS) {
    const part = path.join(dir, `part-${parts.length}.parquet`);
    const done = await scoreRange({ source, start, end: Math.min(start + CHUNK_ROWS, src.rows), model, fields, columns: src.columns, added, part, heartbeat: () => ctx.heartbeat() });
    failed += done.failed;
    parts.push(part);
    ctx.progress("rows", Math.min(start + CHUNK_ROWS, src.rows), src.rows);
  }
  const out = path.join(dir, "scored.parquet");
  const shape = await withDuck(async (conn) => {
    await conn.run(`COPY ${joinedParts(parts)} TO ${quoteString(out)} (FORMAT parquet, COMPRESSION zstd)`);
    return describe(conn, parquet(out), src.columns);
  });
  const uri = await artifacts.putFile(artifactKey(ctx, "scored.parquet"), out);
  ctx.log(`scored ${src.rows - failed} of ${src.rows} rows`, { rows: src.rows, failed }, failed ? "warn" : "info");
  return {
    outputs: { scored: { kind: "dataset", uri, ...shape, lineage: src.lineage } },
    metrics: { scored_rows: src.rows - failed, unscored_rows: failed },
  };
}

/** For rows already through some of the model's steps: the columns the remaining steps read, as the rows store them. */
function preparedFields(needed: Set<string>, columns: InputField[]): InputField[] {
  return [...needed].map((name) => {
    const c = columns.find((col) => col.name === name);
    if (!c) throw new UserError(`column '${name}' the model needs is not in the ${ROWS_NAME}`);
    return { ...c, nullable: true };
  });
}

export const executor = defineExecutor(spec, { execute });
