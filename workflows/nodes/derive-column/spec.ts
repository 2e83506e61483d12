import { z } from "zod";
import { evaluate, ExpressionError, mayBeNull, parseExpression, referencedColumns, type Expr } from "~/lib/pipeline/expression";
import { defineNode, findColumn } from "../define";

export const spec = defineNode({
  type: "derive-column",
  label: "Derived column",
  stage: "feature",
  description: "Adds a numeric column computed from an expression over other columns.",
  config: z.object({
    name: z
      .string()
      .trim()
      .min(1, "name is required")
      .max(120)
      .default("new_feature")
      .meta({ title: "New column" }),
    expression: z
      .string()
      .default("")
      .meta({ title: "Expression", description: "e.g. feature_1 * feature_2; + - * / ^, abs sqrt log exp round min max", widget: "expression" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    let expr: Expr;
    try {
      expr = parseExpression(config.expression);
    } catch (e) {
      if (e instanceof ExpressionError) return { errors: [{ path: "expression", message: e.message }] };
      throw e;
    }
    const cols = inputs.dataset;
    if (!cols) return {};
    const errors: { path: string; message: string }[] = [];
    for (const name of referencedColumns(expr)) {
      const col = findColumn(cols, name);
      if (!col) errors.push({ path: "expression", message: `column '${name}' is not in the input` });
      else if (col.type !== "number") errors.push({ path: "expression", message: `column '${name}' is ${col.type}, not numeric` });
    }
    if (findColumn(cols, config.name)) errors.push({ path: "name", message: `column '${config.name}' already exists` });
    const nullable = mayBeNull(expr, (name) => findColumn(cols, name)?.nullable ?? true);
    return { errors, outputs: { dataset: [...cols, { name: config.name, type: "number", nullable }] } };
  },
  summary: (config) => `${config.name} = ${config.expression}`,
  // The same expression, through the JS back end of the one parser (training used its SQL).
  replay: ({ name, expression }: { name: string; expression: string }) => {
    const expr = parseExpression(expression);
    return (row) => {
      row[name] = evaluate(expr, row);
    };
  },
  reads: ({ name, expression }) => ({ [name]: [...referencedColumns(parseExpression(expression))] }),
});
