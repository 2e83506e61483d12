/**
 * `node --import tsx server/testing/check-results.ts <vitest JSON report>`: exits 1 unless every
 * test passed. Vitest 4.1 exits 0 after failures in a project whose globalSetup returns a teardown
 * (the integration project's real Postgres and Temporal), so `npm test` reads the report instead.
 */
import fs from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: check-results.ts <vitest JSON report>");
const report = JSON.parse(fs.readFileSync(file, "utf8")) as { success: boolean; numFailedTests: number; numFailedTestSuites: number; numTotalTests: number };
if (!report.success || report.numFailedTests > 0 || report.numFailedTestSuites > 0 || report.numTotalTests === 0) {
  console.error(`[tests] ${file}: ${report.numFailedTests} failed test(s), ${report.numFailedTestSuites} failed file(s) of ${report.numTotalTests} tests`);
  process.exit(1);
}
console.log(`[tests] ${file}: all ${report.numTotalTests} tests passed`);
