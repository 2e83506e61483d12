import { z } from "zod";
import { defineNode, findColumn } from "../spec";
import { ExpressionError, parseExpression, referencedColumns } from "./expression";

export const deriveColumnSpec = defineNode({
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
    let refs: Set<string>;
    try {
      refs = referencedColumns(parseExpression(config.expression));
    } catch (e) {
      if (e instanceof ExpressionError) return { errors: [{ path: "expression", message: e.message }] };
      throw e;
    }
    const cols = inputs.dataset;
    if (!cols) return {};
    const errors: { path: string; message: string }[] = [];
    for (const name of refs) {
      const col = findColumn(cols, name);
      if (!col) errors.push({ path: "expression", message: `column '${name}' is not in the input` });
      else if (col.type !== "number") errors.push({ path: "expression", message: `column '${name}' is ${col.type}, not numeric` });
    }
    if (findColumn(cols, config.name)) errors.push({ path: "name", message: `column '${config.name}' already exists` });
    const nullable = [...refs].some((r) => findColumn(cols, r)?.nullable) || /[/]|log|sqrt/.test(config.expression);
    return { errors, outputs: { dataset: [...cols, { name: config.name, type: "number", nullable }] } };
  },
});
