"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc";

/** A version's text in lists: its number, and its name when it has one. */
export const versionText = (v: { version: number; label?: string | null }) => (v.label ? `v${v.version} “${v.label}”` : `v${v.version}`);

/** Names the latest saved version: a button that opens a one-line form (Enter saves, Escape cancels; empty takes the name away). */
export function NameVersion({ pipelineId, version, label }: { pipelineId: string; version: number; label: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(label ?? "");
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.pipeline.nameVersion.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        setError(null);
        void queryClient.invalidateQueries({ queryKey: trpc.pipeline.versions.queryKey({ id: pipelineId }) });
      },
      onError: (e) => setError(e.message),
    }),
  );
  if (!editing) {
    return (
      <button
        type="button"
        onClick={() => {
          setText(label ?? "");
          setEditing(true);
        }}
        className="ml-1 rounded px-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
        title={label ? `v${version} is named “${label}”: rename it` : `Give v${version} a name, to find it in the version list`}
      >
        {label ? `“${label}”` : `name v${version}…`}
      </button>
    );
  }
  return (
    <form
      className="ml-1 inline-flex items-center gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ id: pipelineId, version, label: text });
      }}
    >
      <input
        autoFocus
        aria-label={`Name of version ${version}`}
        value={text}
        maxLength={100}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => e.key === "Escape" && setEditing(false)}
        placeholder="e.g. before tuning"
        className="w-36 rounded border border-slate-300 px-1 py-0.5 text-xs"
      />
      <button type="submit" disabled={save.isPending} className="rounded border border-slate-300 px-1.5 py-0.5 hover:bg-slate-50">
        Name
      </button>
      {error && (
        <span role="status" className="text-red-600">
          {error}
        </span>
      )}
    </form>
  );
}
