"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc";
import { RowActions, rowButton } from "../ui/row-actions";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Rename, duplicate and delete for one row of the pipelines list; delete says what goes with it first. */
export function PipelineActions({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refresh = { onSuccess: () => router.refresh() };
  const rename = useMutation(trpc.pipeline.rename.mutationOptions(refresh));
  const duplicate = useMutation(trpc.pipeline.duplicate.mutationOptions(refresh));
  const remove = useMutation(trpc.pipeline.remove.mutationOptions(refresh));
  return (
    <RowActions
      name={name}
      rename={(next) => rename.mutateAsync({ id, name: next })}
      remove={() => remove.mutateAsync({ id })}
      describeDelete={async () => {
        const f = await queryClient.fetchQuery(trpc.pipeline.footprint.queryOptions({ id }));
        return `Delete “${name}”, its ${plural(f.versions, "version")} and ${plural(f.runs, "run")}?${f.endpoints ? ` Its ${plural(f.endpoints, "endpoint")} keep serving.` : ""}`;
      }}
      extra={
        <button type="button" className={rowButton} disabled={duplicate.isPending} onClick={() => duplicate.mutate({ id })}>
          Duplicate
        </button>
      }
    />
  );
}
