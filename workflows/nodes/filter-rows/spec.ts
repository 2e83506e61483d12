import { z } from "zod";
import { checkCondition, ExpressionError, parseCondition, type Expr } from "~/lib/pipeline/expression";
import { defineNode, findColumn } from "../define";

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
    const errors = checkCondition(expr, (name) => findColumn(cols, name)?.type).map((message) => ({ path: "expression", message }));
    return { errors, outputs: { dataset: cols } };
  },
  summary: (config) => config.expression,
});
