// ESLint: Next's rules (React, hooks, core web vitals), typescript-eslint with type information
// for promises, and Millrace's own rules: configuration only through lib/env.ts, and the ~/
// alias instead of climbing directories. Layer rules live in .dependency-cruiser.cjs.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through env() in lib/env.ts, the one place it is validated." },
      ],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["../../*"], message: "Import with the ~/ alias instead of climbing two or more directories." }] },
      ],
    },
  },
  {
    // Configuration itself, tool configs and benchmark knobs are not Millrace settings.
    files: ["lib/env.ts", "*.config.ts", "*.config.mjs", "bench/**"],
    rules: { "no-restricted-properties": "off" },
  },
  globalIgnores([".next/**", "node_modules/**", ".data/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "bench/.out/**"]),
]);
