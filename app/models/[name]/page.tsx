import Link from "next/link";
import { ModelVersions } from "~/components/models/model-versions";
import { Page } from "~/components/ui/page";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";

export const dynamic = "force-dynamic";

/** A registered model: its versions and their metrics side by side, lineage, aliases, where each is served. */
export default async function ModelPage({ params }: { params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  const access = await pageAccess("read", `/models/${encodeURIComponent(name)}`);
  return (
    <Page title={`Model ${name}`}>
      <p className="mb-4 text-xs text-slate-500">
        <Link className="text-sky-700 hover:underline" href="/models">
          ← All models
        </Link>
      </p>
      <ModelVersions name={name} canDeploy={can(access.principal, "deploy", access.role)} />
    </Page>
  );
}
