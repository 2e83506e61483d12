import { z } from "zod";
import { defineNode } from "../define";

export const spec = defineNode({
  type: "batch-score",
  label: "Batch score",
  stage: "deploy",
  description:
    "Scores a table with a model, as its endpoint would: the rows as ingested (the target may be absent), the model's fitted cleaning and feature steps replayed on them, each row checked as a request is. The output is the rows with a prediction column, a probability column per class for classifiers, and scoring_error for a row that could not be scored; download it from the run page.",
  config: z.object({
    probabilities: z.boolean().default(true).meta({ title: "Class probabilities", description: "A probability_<class> column per class (classifiers)" }),
  }),
  inputs: {
    model: { type: "model", label: "Model" },
    dataset: { type: "dataset", label: "Rows to score" },
  },
  outputs: { scored: { type: "dataset", label: "Scored rows" } },
  summary: (config) => (config.probabilities ? "prediction and class probabilities" : "prediction"),
});
