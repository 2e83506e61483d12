import { notFound } from "next/navigation";
import { RunView } from "~/components/run/run-view";
import { FollowWorkspace } from "~/components/auth/follow-workspace";
import { can } from "~/server/auth/policy";
import { isActiveWorkspace, pageAccess } from "~/server/auth/pages";
import { isUuid } from "~/server/http/errors";

/** The run page, for members; what a viewer may not do is not offered (the server refuses it anyway). */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const access = await pageAccess("read", `/runs/${id}`, { kind: "run", id, label: "run" });
  if (!(await isActiveWorkspace(access))) return <FollowWorkspace workspaceId={access.workspaceId} />;
  return <RunView runId={id} can={{ run: can(access.principal, "run", access.role), edit: can(access.principal, "edit", access.role) }} />;
}
