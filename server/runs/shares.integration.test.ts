/**
 * Share links on a real Postgres: what a link shows is the run's report and nothing of its
 * configuration (data sources, expressions), errors, endpoints or ids; revoked, expired and
 * unknown links show nothing.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { memberships, runNodes, runs, runShares, workspaces } from "~/db/schema";
import { NotFoundError } from "~/lib/errors";
import { demoPipeline } from "~/lib/templates/demo";
import { createPipeline } from "../pipelines/repository";
import { createUserWithPassword } from "../workspaces/service";
import { createShare, listShares, revokeShare, sharedRun } from "./shares";

let owner: { kind: "user"; userId: string; email: string; name: string; isAdmin: boolean };
let wsId: string;
let runId: string;
let pipelineId: string;
const datasetId = "7a1e0c4e-1111-4222-8333-944455556666";
const secretExpression = "salary_secret_column * 1234567";

beforeAll(async () => {
  const [ws] = await db().insert(workspaces).values({ name: "Shares" }).returning();
  wsId = ws!.id;
  const user = await createUserWithPassword(db(), { email: "shares-owner@example.com", name: "Owner", password: "shares-test-password" });
  await db().insert(memberships).values({ workspaceId: wsId, userId: user.id, role: "owner" });
  owner = { kind: "user", userId: user.id, email: user.email, name: "Owner", isAdmin: false };
  const doc = demoPipeline(datasetId);
  doc.nodes.find((n) => n.type === "derive-column")!.config = { name: "pay_ratio", expression: secretExpression };
  doc.nodes.find((n) => n.type === "deploy-endpoint")!.config = { slug: "secret-endpoint-slug" };
  pipelineId = (await createPipeline(db(), wsId, doc)).id;
  const [run] = await db().insert(runs).values({ workspaceId: wsId, pipelineId, pipelineVersion: 1, status: "failed", error: "node deploy failed: /srv/secret/path" }).returning();
  runId = run!.id;
  const at = new Date("2026-11-01T10:00:00Z");
  await db()
    .insert(runNodes)
    .values([
      { runId, nodeId: "ingest", type: "csv-dataset", status: "succeeded", attempt: 1, startedAt: at, finishedAt: new Date(at.getTime() + 1200), metrics: { rows: 600 } },
      {
        runId,
        nodeId: "evaluate",
        type: "evaluate",
        status: "succeeded",
        attempt: 1,
        startedAt: at,
        finishedAt: new Date(at.getTime() + 800),
        metrics: { accuracy: 0.9125 },
        outputs: { metrics: { kind: "metrics", values: { accuracy: 0.9125 }, predictionsUri: "artifact:runs/secret/predictions.json" } },
      },
      { runId, nodeId: "deploy", type: "deploy-endpoint", status: "failed", attempt: 2, error: `the slug 'secret-endpoint-slug' is taken; expression ${secretExpression}` },
    ]);
});

afterAll(async () => {
  await closeDb();
});

describe("share links", () => {
  it("show the run's report and none of its configuration, errors, endpoints or ids", async () => {
    const link = await createShare(db(), owner, wsId, runId, { expiresInDays: 7 });
    expect(link.url).toMatch(/\/share\/mrs_[A-Za-z0-9_-]{32}$/);
    const token = link.url.split("/share/")[1]!;
    const view = await sharedRun(db(), token);
    expect(view).toMatchObject({ pipelineName: "Demo: random forest classifier", status: "failed", metrics: { accuracy: 0.9125 } });
    expect(view.nodes.map((n) => [n.nodeId, n.status]).sort()).toEqual([
      ["deploy", "failed"],
      ["evaluate", "succeeded"],
      ["ingest", "succeeded"],
    ]);
    expect(view.graph.nodes.map((n) => n.type)).toContain("derive-column");
    const text = JSON.stringify(view);
    for (const hidden of [secretExpression, "salary_secret_column", datasetId, "secret-endpoint-slug", "/srv/secret", "artifact:", runId, pipelineId, wsId, "pay_ratio"]) {
      expect(text, `the shared view shows '${hidden}'`).not.toContain(hidden);
    }
    // Not a token: the stored hash finds nothing.
    const [row] = await db().select().from(runShares).where(eq(runShares.id, link.id));
    await expect(sharedRun(db(), row!.tokenHash)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("show nothing once revoked or expired, or for a token never issued", async () => {
    const a = await createShare(db(), owner, wsId, runId, { expiresInDays: null });
    const b = await createShare(db(), owner, wsId, runId, { expiresInDays: 1 });
    const tokenOf = (url: string) => url.split("/share/")[1]!;
    await expect(sharedRun(db(), tokenOf(a.url))).resolves.toMatchObject({ expiresAt: null });
    await revokeShare(db(), owner, wsId, runId, a.id);
    await expect(sharedRun(db(), tokenOf(a.url))).rejects.toThrow("this link does not show anything");
    await expect(revokeShare(db(), owner, wsId, runId, a.id)).rejects.toBeInstanceOf(NotFoundError);
    await db().update(runShares).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(runShares.id, b.id));
    await expect(sharedRun(db(), tokenOf(b.url))).rejects.toBeInstanceOf(NotFoundError);
    await expect(sharedRun(db(), "mrs_never-issued-token-0000000000000000")).rejects.toBeInstanceOf(NotFoundError);
    const listed = await listShares(db(), runId);
    expect(listed.find((l) => l.id === a.id)).toMatchObject({ active: false });
    expect(listed.find((l) => l.id === b.id)).toMatchObject({ active: false, revokedAt: null });
  });
});
