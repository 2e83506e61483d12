/**
 * How many workers take activities from a task queue, as the train node asks before splitting a
 * large job into slices: on a real Temporal server, with activity-only workers of a queue of their own.
 */
import { NativeConnection, Worker } from "@temporalio/worker";
import { afterAll, describe, expect, inject, it } from "vitest";
import { closeTemporalClient, recentPollers } from "./client";

const services = inject("services");
const taskQueue = `${services.taskQueue}-pollers`;
const running: { worker: Worker; done: Promise<void>; connection: NativeConnection }[] = [];

async function startWorker(identity: string) {
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const worker = await Worker.create({ connection, taskQueue, identity, activities: { async noop() {} } });
  running.push({ worker, done: worker.run(), connection });
}

afterAll(async () => {
  for (const r of running) r.worker.shutdown();
  for (const r of running) {
    await r.done;
    await r.connection.close();
  }
  await closeTemporalClient();
});

describe("workers polling for activities", () => {
  it("counts each worker process once, and none on a queue nobody polls", async () => {
    expect((await recentPollers(90, "activity", `${taskQueue}-nobody`)).count).toBe(0);
    await startWorker("worker-one");
    await expect.poll(async () => (await recentPollers(90, "activity", taskQueue)).count, { timeout: 15_000, interval: 250 }).toBe(1);
    await startWorker("worker-two");
    await expect.poll(async () => (await recentPollers(90, "activity", taskQueue)).count, { timeout: 15_000, interval: 250 }).toBe(2);
    // By identity: the train node counts the others than itself (a worker whose activity slots are all busy stops polling).
    expect((await recentPollers(90, "activity", taskQueue)).identities.sort()).toEqual(["worker-one", "worker-two"]);
  });
});
