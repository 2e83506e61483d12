"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc";

export function NewPipelineButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.pipeline.create.mutationOptions({ onSuccess: (p) => router.push(`/pipelines/${p.id}`) }));
  return (
    <button
      type="button"
      onClick={() => create.mutate({ name: "Untitled pipeline", nodes: [], edges: [] })}
      className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700"
    >
      New pipeline
    </button>
  );
}
