/**
 * Millrace's layers, checked by `npm run check` (dependency-cruiser). Imports run one way:
 *
 *   app → components → (pure) ← server → workflows → db → lib
 *
 * Type-only imports count: a type the database needs lives below it. The README's structure
 * section explains each layer.
 */

/** The pipeline language: pure TypeScript shared by the browser, the web server, the worker and the workflow sandbox. */
const PURE = [
  "^lib/(pipeline|templates)/",
  "^lib/(errors|random|urls|monitoring|wire|list-query)\\.ts$",
  "^workflows/nodes/(define|registry|compile|columns)\\.ts$",
  "^workflows/nodes/[^/]+/spec\\.ts$",
  "^workflows/model/",
  "^workflows/temporal/shared\\.ts$",
].join("|");
/** Packages the pure modules may use: schemas, the prediction side of ml-random-forest, and the wire format. */
const PURE_PACKAGES = "^node_modules/(zod|ml-random-forest|ml-[a-z-]+|superjson)/";
const TESTS = "\\.test\\.tsx?$";
/** The Temporal workflow code (the worker's `workflowsPath` and what it imports). */
const WORKFLOW_CODE = "^workflows/temporal/(workflows|pipeline-workflow|batch-workflow|scheduled-workflow|webhook-workflow|retrain-workflow|failures)\\.ts$";

const layer = (name, from, forbidden, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: forbidden },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycles, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    layer("lib-is-the-bottom", "^lib/", "^(db|workflows|server|components|app|e2e|bench)/", "lib/ holds the shared vocabulary and configuration: it imports nothing of Millrace's."),
    layer("db-below-workflows", "^db/", "^(workflows|server|components|app|e2e)/", "db/ (schema, client, migrations) imports only lib/."),
    layer("workflows-below-server", "^workflows/", "^(server|components|app|e2e)/", "The execution layer never reaches up into the web server or the UI."),
    layer("server-below-the-ui", "^server/", "^(components|app|e2e)/", "The web server does not import React components or routes."),
    {
      name: "components-never-import-server-code",
      comment: "The browser gets data over tRPC and REST; only the type of the tRPC router crosses (erased at build).",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(server|db)/", pathNot: "^server/api/root\\.ts$" },
    },
    {
      name: "components-only-type-the-router",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^server/api/root\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "components-import-only-pure-workflow-modules",
      comment: "Node specs, the compiler and the model format run in the browser; executors, engines and Temporal code do not.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(workflows|lib)/", pathNot: PURE },
    },
    {
      name: "pure-modules-stay-pure",
      comment:
        "The pipeline language (graph, plan, compiler, expressions, node specs, model format and predictor) imports no Node built-ins, no React, no database — only other pure modules and a few pure packages.",
      severity: "error",
      from: { path: PURE, pathNot: TESTS },
      to: { pathNot: `${PURE}|${PURE_PACKAGES}` },
    },
    {
      name: "pure-modules-no-node-builtins",
      severity: "error",
      from: { path: PURE },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "workflow-is-deterministic",
      comment: "Temporal workflows import only @temporalio/workflow, each other and the pipeline language: no I/O, clocks or randomness.",
      severity: "error",
      from: { path: WORKFLOW_CODE },
      to: { pathNot: `^node_modules/@temporalio/(workflow|common)/|${PURE}|${WORKFLOW_CODE}` },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|\\.data|test-results|playwright-report|bench/\\.out)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
