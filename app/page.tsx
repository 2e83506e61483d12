import { redirect } from "next/navigation";
import { db } from "~/db/client";
import { listPipelines } from "~/server/pipelines/repository";

export const dynamic = "force-dynamic";

/** Straight to the most recently edited pipeline (the demo on a fresh install). */
export default async function Home() {
  const [latest] = await listPipelines(db());
  redirect(latest ? `/pipelines/${latest.id}` : "/pipelines");
}
