"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../trpc";

/** Rename, duplicate and delete for one row of the pipelines list; delete says what goes with it first. */
export function PipelineActions({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<{ versions: number; runs: number; endpoints: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const done = () => {
    setError(null);
    router.refresh();
  };
  const rename = useMutation(trpc.pipeline.rename.mutationOptions({ onSuccess: () => (setRenaming(null), done()), onError: (e) => setError(e.message) }));
  const duplicate = useMutation(trpc.pipeline.duplicate.mutationOptions({ onSuccess: done, onError: (e) => setError(e.message) }));
  const remove = useMutation(trpc.pipeline.remove.mutationOptions({ onSuccess: () => (setConfirming(null), done()), onError: (e) => setError(e.message) }));
  const askDelete = async () => setConfirming(await queryClient.fetchQuery(trpc.pipeline.footprint.queryOptions({ id })));

  const button = "rounded px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100";
  return (
    <div className="flex flex-wrap items-center justify-end gap-1">
      {renaming !== null ? (
        <form
          className="flex gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ id, name: renaming });
          }}
        >
          <input aria-label={`New name for ${name}`} autoFocus value={renaming} onChange={(e) => setRenaming(e.target.value)} className="rounded border border-slate-300 px-2 py-0.5 text-xs" />
          <button type="submit" className={button}>
            Rename
          </button>
          <button type="button" className={button} onClick={() => setRenaming(null)}>
            Cancel
          </button>
        </form>
      ) : confirming ? (
        <span role="alertdialog" aria-label={`Delete ${name}`} className="flex items-center gap-1 text-xs text-red-800">
          Delete “{name}”, its {confirming.versions} version{confirming.versions === 1 ? "" : "s"} and {confirming.runs} run{confirming.runs === 1 ? "" : "s"}?
          {confirming.endpoints > 0 && ` Its ${confirming.endpoints} endpoint${confirming.endpoints === 1 ? "" : "s"} keep serving.`}
          <button type="button" className="rounded bg-red-600 px-2 py-0.5 text-white hover:bg-red-700" onClick={() => remove.mutate({ id })}>
            Delete
          </button>
          <button type="button" className={button} onClick={() => setConfirming(null)}>
            Keep it
          </button>
        </span>
      ) : (
        <>
          <button type="button" className={button} onClick={() => setRenaming(name)}>
            Rename
          </button>
          <button type="button" className={button} onClick={() => duplicate.mutate({ id })}>
            Duplicate
          </button>
          <button type="button" className={`${button} text-red-700`} onClick={() => void askDelete()}>
            Delete…
          </button>
        </>
      )}
      {error && <span className="text-xs text-red-600">{error}</span>}
    </div>
  );
}
