import { notFound } from "next/navigation";
import { Editor } from "~/components/canvas/editor";
import { db } from "~/db/client";
import { FollowWorkspace } from "~/components/auth/follow-workspace";
import { isActiveWorkspace, pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";
import { isUuid } from "~/server/http/errors";
import { getPipeline } from "~/server/pipelines/repository";

export const dynamic = "force-dynamic";

export default async function PipelinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const access = await pageAccess("read", `/pipelines/${id}`, { kind: "pipeline", id, label: "pipeline" });
  if (!(await isActiveWorkspace(access))) return <FollowWorkspace workspaceId={access.workspaceId} />;
  const { principal, role } = access;
  if (!(await getPipeline(db(), id))) notFound();
  // Keyed by id: another pipeline gets a fresh canvas, never the unsaved state of this one.
  return <Editor key={id} pipelineId={id} can={{ edit: can(principal, "edit", role), run: can(principal, "run", role) }} />;
}
