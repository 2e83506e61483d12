import Link from "next/link";
import { FollowWorkspace } from "~/components/auth/follow-workspace";
import { EndpointDetail } from "~/components/endpoints/endpoint-detail";
import { Page } from "~/components/ui/page";
import { isActiveWorkspace, pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";

export const dynamic = "force-dynamic";

/** One endpoint: access, traffic split, deploys, revisions with rollback, live performance, try it. */
export default async function EndpointPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const access = await pageAccess("read", `/endpoints/${slug}`, { kind: "endpoint", id: slug, label: "endpoint" });
  if (!(await isActiveWorkspace(access))) return <FollowWorkspace workspaceId={access.workspaceId} />;
  return (
    <Page title={`Endpoint /${slug}`}>
      <p className="mb-4 text-xs text-slate-500">
        <Link className="text-sky-700 hover:underline" href="/endpoints">
          ← All endpoints
        </Link>
      </p>
      <EndpointDetail slug={slug} canDeploy={can(access.principal, "deploy", access.role)} canRun={can(access.principal, "run", access.role)} />
    </Page>
  );
}
