/**
 * The interpreter itself, on a real Temporal server with stand-in activities (mocked only
 * at this edge): independent branches overlap, failures skip dependants, cancellation lands.
 */
import { Client, Connection, WorkflowFailedError } from "@temporalio/client";
import { NativeConnection, Worker } from "@temporalio/worker";
import { ApplicationFailure } from "@temporalio/common";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { PlanNode } from "~/lib/pipeline/plan";
import type * as workflows from "./pipeline-workflow";
import { PIPELINE_WORKFLOW, USER_ERROR_TYPE, type ExecuteNodeInput, type ExecuteNodeResult, type ExecuteSliceInput, type MergeSlicesInput, type PipelineActivities } from "./shared";
import { workflowsPath } from "./worker";

const services = inject("services");
const taskQueue = `${services.taskQueue}-interp`;
let client: Client;
let nativeConnection: NativeConnection;
let connection: Connection;

const spans: Record<string, [number, number]> = {};
const finished: { status: string; nodes: Record<string, { status: string }> }[] = [];
const merged: { state: unknown; parts: unknown[] }[] = [];

const activities: PipelineActivities = {
  async markRunStarted() {},
  async executeNode({ node }: ExecuteNodeInput): Promise<ExecuteNodeResult> {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, Number(node.config.sleepMs ?? 300)));
    spans[node.id] = [start, Date.now()];
    if (node.config.fail) throw ApplicationFailure.nonRetryable(`node ${node.id} broke`, USER_ERROR_TYPE);
    const slices = Number(node.config.fanOut ?? 0);
    if (slices) return { outputs: {}, fanOut: { tasks: Array.from({ length: slices }, (_, i) => ({ slice: i })), state: { node: node.id } } };
    return { outputs: { out: { kind: "metrics", values: {} } } };
  },
  async executeSlice({ node, task, index }: ExecuteSliceInput) {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 600));
    spans[`${node.id}/${index}`] = [start, Date.now()];
    return { done: (task as { slice: number }).slice };
  },
  async mergeSlices({ state, parts }: MergeSlicesInput) {
    merged.push({ state, parts });
    return { outputs: { out: { kind: "metrics", values: { parts: parts.length } } } };
  },
  async finishRun(input) {
    finished.push(input);
  },
};

beforeAll(async () => {
  nativeConnection = await NativeConnection.connect({ address: services.temporalAddress });
  connection = await Connection.connect({ address: services.temporalAddress });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await nativeConnection?.close();
});

const n = (id: string, inputs: Record<string, string> = {}, config: Record<string, unknown> = {}): PlanNode => ({
  id,
  type: "evaluate",
  config,
  inputs: Object.fromEntries(Object.entries(inputs).map(([port, node]) => [port, { node, port: "out" }])),
});

async function run(nodes: PlanNode[], id: string) {
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath,
    activities,
  });
  return worker.runUntil(
    client.workflow.execute<typeof workflows.runPipeline>(PIPELINE_WORKFLOW, {
      taskQueue,
      workflowId: `${id}-${Date.now()}`,
      args: [{ runId: id, plan: { pipelineId: "p", pipelineVersion: 1, nodes } }],
    }),
  );
}

describe("pipeline interpreter", () => {
  it("runs independent branches in parallel and joins them", async () => {
    const res = await run([n("a"), n("left", { in: "a" }, { sleepMs: 800 }), n("right", { in: "a" }, { sleepMs: 800 }), n("join", { x: "left", y: "right" })], "parallel");
    expect(res.status).toBe("succeeded");
    const [l0, l1] = spans.left!;
    const [r0, r1] = spans.right!;
    expect(Math.min(l1, r1) - Math.max(l0, r0)).toBeGreaterThan(500); // they overlapped
    expect(spans.join![0]).toBeGreaterThanOrEqual(Math.max(l1, r1));
    expect(spans.left![0]).toBeGreaterThanOrEqual(spans.a![1]);
  });

  it("fans a node out into parallel slice activities and merges their results in order", async () => {
    const res = await run([n("train", {}, { fanOut: 3 }), n("after", { in: "train" })], "fanout");
    expect(res.status).toBe("succeeded");
    expect(merged.at(-1)).toEqual({ state: { node: "train" }, parts: [{ done: 0 }, { done: 1 }, { done: 2 }] });
    const s = [0, 1, 2].map((i) => spans[`train/${i}`]!);
    expect(Math.min(...s.map((x) => x[1])) - Math.max(...s.map((x) => x[0]))).toBeGreaterThan(300); // overlapped
    expect(spans.after![0]).toBeGreaterThanOrEqual(Math.max(...s.map((x) => x[1])));
  });

  it("fails the run, skips dependants and lets unrelated branches finish", async () => {
    const res = await run([n("a"), n("bad", { in: "a" }, { fail: true }), n("after", { in: "bad" }), n("other", { in: "a" }, { sleepMs: 600 })], "failing");
    expect(res.status).toBe("failed");
    const outcome = finished.at(-1)!;
    expect(outcome.status).toBe("failed");
    expect(outcome.nodes).toMatchObject({
      a: { status: "succeeded" },
      bad: { status: "failed", error: "node bad broke" },
      after: { status: "skipped" },
      other: { status: "succeeded" },
    });
  });

  it("records a cancelled run", async () => {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath,
      activities,
    });
    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start<typeof workflows.runPipeline>(PIPELINE_WORKFLOW, {
        taskQueue,
        workflowId: `cancel-${Date.now()}`,
        args: [{ runId: "cancel", plan: { pipelineId: "p", pipelineVersion: 1, nodes: [n("slow", {}, { sleepMs: 3000 }), n("next", { in: "slow" })] } }],
      });
      await new Promise((r) => setTimeout(r, 500));
      await handle.cancel();
      return handle.result().catch((e: unknown) => e);
    });
    // The workflow records the outcome and completes normally with status "cancelled".
    expect(result instanceof WorkflowFailedError ? "failed" : (result as { status: string }).status).toBe("cancelled");
    expect(finished.at(-1)).toMatchObject({ runId: "cancel", status: "cancelled", nodes: { next: { status: "cancelled" } } });
  });
});
