import { notFound } from "next/navigation";
import { RunView } from "~/components/run/run-view";
import { FollowWorkspace } from "~/components/auth/follow-workspace";
import { isActiveWorkspace, pageAccess } from "~/server/auth/pages";
import { isUuid } from "~/server/http/errors";

/** The shareable run page. */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const access = await pageAccess("read", `/runs/${id}`, { kind: "run", id, label: "run" });
  if (!(await isActiveWorkspace(access))) return <FollowWorkspace workspaceId={access.workspaceId} />;
  return <RunView runId={id} />;
}
