import { z } from "zod";
import { isDateKind } from "~/lib/pipeline/dates";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { checkCondition, ExpressionError, orderedColumns, parseCondition, type Expr } from "~/lib/pipeline/expression";
import { defineNode, findColumn } from "../define";

/**
 * What is wrong with a condition over these columns: the language's own checks, and dates,
 * timestamps or times ordered as the text they are stored as (31/12/2023 < 01/01/2024 would be
 * false). Equality still works on them: the same spelling is the same value.
 */
export function conditionProblems(expr: Expr, cols: ColumnSchema[]): string[] {
  const problems = checkCondition(expr, (name) => findColumn(cols, name)?.type);
  for (const name of orderedColumns(expr)) {
    const c = findColumn(cols, name);
    if (c && isDateKind(c.kind)) {
      problems.push(`column '${name}' holds ${c.kind === "time" ? "times" : "dates"} written as text${c.format ? ` (${c.format})` : ""}, which cannot be ordered as text; add a Date parts node and compare its parts (e.g. ${name}_year >= 2024)`);
    }
  }
  return problems;
}

export const spec = defineNode({
  type: "filter-rows",
  label: "Filter rows",
  stage: "clean",
  description: "Keeps the rows where a condition is true; a row where it is missing (a comparison with a missing value) is dropped.",
  config: z.object({
    expression: z.string().default("").meta({
      title: "Keep rows where",
      description: "e.g. price > 100 and city == 'Oslo'; < <= > >= == !=, and or not, is_missing(column), 'text', true false, + - * /",
      widget: "expression",
    }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    let expr: Expr;
    try {
      expr = parseCondition(config.expression);
    } catch (e) {
      if (e instanceof ExpressionError) return { errors: [{ path: "expression", message: e.message }] };
      throw e;
    }
    const cols = inputs.dataset;
    if (!cols) return {};
    const errors = conditionProblems(expr, cols).map((message) => ({ path: "expression", message }));
    return { errors, outputs: { dataset: cols } };
  },
  summary: (config) => config.expression,
});
