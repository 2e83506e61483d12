"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc";
import { RowActions, rowButton } from "../ui/row-actions";

/** Rename, duplicate and delete for one dataset; delete first names the pipelines that read it. */
export function DatasetActions({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refresh = { onSuccess: () => router.refresh() };
  const rename = useMutation(trpc.dataset.rename.mutationOptions(refresh));
  const remove = useMutation(trpc.dataset.remove.mutationOptions(refresh));
  const duplicate = useMutation(trpc.dataset.duplicate.mutationOptions(refresh));
  return (
    <RowActions
      name={name}
      rename={(next) => rename.mutateAsync({ id, name: next })}
      remove={() => remove.mutateAsync({ id })}
      describeDelete={async () => {
        const readers = await queryClient.fetchQuery(trpc.dataset.usage.queryOptions({ id }));
        const who = readers.length
          ? `${readers.map((p) => `“${p.name}”`).join(", ")} read${readers.length === 1 ? "s" : ""} it and will need another dataset.`
          : "No pipeline reads it.";
        return `Delete “${name}”? ${who} Past runs keep their results.`;
      }}
      extra={
        <button type="button" className={rowButton} disabled={duplicate.isPending} onClick={() => duplicate.mutate({ id })}>
          Duplicate
        </button>
      }
    />
  );
}
