import { notFound } from "next/navigation";
import { Editor } from "~/components/canvas/editor";
import { isUuid } from "~/server/http/errors";

export default async function PipelinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  // Keyed by id: another pipeline gets a fresh canvas, never the unsaved state of this one.
  return <Editor key={id} pipelineId={id} />;
}
