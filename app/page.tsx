import { redirect } from "next/navigation";
import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { listPipelines } from "~/server/pipelines/repository";

export const dynamic = "force-dynamic";

/** Straight to the most recently edited pipeline of the active workspace (the demo on a fresh install). */
export default async function Home() {
  const { workspaceId } = await pageAccess("read", "/");
  const [latest] = await listPipelines(db(), workspaceId);
  redirect(latest ? `/pipelines/${latest.id}` : "/pipelines");
}
