import Link from "next/link";
import { FollowWorkspace } from "~/components/auth/follow-workspace";
import { Monitoring } from "~/components/endpoints/monitoring";
import { Page } from "~/components/ui/page";
import { isActiveWorkspace, pageAccess } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

/** An endpoint's monitoring: traffic, latency, failures, drift per feature, alarms. */
export default async function MonitoringPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const access = await pageAccess("read", `/endpoints/${slug}/monitoring`, { kind: "endpoint", id: slug, label: "endpoint" });
  if (!(await isActiveWorkspace(access))) return <FollowWorkspace workspaceId={access.workspaceId} />;
  return (
    <Page title={`Monitoring /${slug}`}>
      <p className="mb-4 text-xs text-slate-500">
        <Link className="text-sky-700 hover:underline" href={`/endpoints/${slug}`}>
          ← Endpoint /{slug}
        </Link>
      </p>
      <Monitoring slug={slug} />
    </Page>
  );
}
