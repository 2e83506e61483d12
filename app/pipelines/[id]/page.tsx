import { notFound } from "next/navigation";
import { Editor } from "../../../components/canvas/editor";
import { isUuid } from "../../../server/http/errors";

export default async function PipelinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  return <Editor pipelineId={id} />;
}
