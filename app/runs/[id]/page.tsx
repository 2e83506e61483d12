import { notFound } from "next/navigation";
import { RunView } from "~/components/run/run-view";
import { pageAccess } from "~/server/auth/pages";
import { isUuid } from "~/server/http/errors";

/** The shareable run page. */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  await pageAccess("read", `/runs/${id}`, { kind: "run", id, label: "run" });
  return <RunView runId={id} />;
}
