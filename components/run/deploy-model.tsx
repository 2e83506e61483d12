"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "../trpc";
import { breakingOf, ConfirmBreaking } from "../endpoints/breaking";

/**
 * One-click deploy of a model this run trained: to an endpoint of the workspace or a new slug.
 * A deploy that would change what callers send or get back asks first, naming what changes.
 */
export function DeployModel({ runId, nodeId, ports }: { runId: string; nodeId: string; ports: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.endpoint.list.queryOptions());
  const deploy = useMutation(trpc.endpoint.deployRun.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.endpoint.pathKey() }) }));
  const [open, setOpen] = useState(false);
  const [slug, setSlug] = useState("");
  const [port, setPort] = useState(ports.includes("final") ? "final" : ports[0]!);
  const [breaking, setBreaking] = useState<string[] | null>(null);
  const [done, setDone] = useState<{ slug: string; revision: number; version: number } | null>(null);

  const go = async (confirmSchemaChange: boolean) => {
    setBreaking(null);
    try {
      const r = await deploy.mutateAsync({ runId, nodeId, port: port as "model" | "final", slug, confirmSchemaChange });
      setDone({ slug, revision: r.revision, version: r.modelVersion.version });
    } catch (e) {
      const b = breakingOf(e);
      if (b) setBreaking(b);
    }
  };

  if (!open) {
    return (
      <button type="button" className="rounded border border-indigo-300 bg-white px-2 py-1 text-xs text-indigo-700 hover:bg-indigo-50" onClick={() => setOpen(true)}>
        Deploy this model…
      </button>
    );
  }
  return (
    <div className="space-y-2 rounded border border-indigo-200 bg-white p-2 text-xs" data-testid={`deploy-${nodeId}`}>
      <label className="flex flex-col gap-1">
        Endpoint (an existing one, or a new slug)
        <input aria-label="Endpoint slug" list={`endpoints-${nodeId}`} className="rounded border border-slate-300 px-2 py-1 font-mono" value={slug} onChange={(e) => setSlug(e.target.value.trim())} placeholder="my-model" />
        <datalist id={`endpoints-${nodeId}`}>
          {(endpoints.data ?? []).map((e) => (
            <option key={e.slug} value={e.slug} />
          ))}
        </datalist>
      </label>
      {ports.length > 1 && (
        <label className="flex items-center gap-2">
          Model
          <select aria-label="Which model" className="rounded border border-slate-300 px-1 py-0.5" value={port} onChange={(e) => setPort(e.target.value)}>
            {ports.map((p) => (
              <option key={p} value={p}>
                {p === "final" ? "final (refitted on all rows)" : "model (the one evaluated)"}
              </option>
            ))}
          </select>
        </label>
      )}
      {breaking && (
        <ConfirmBreaking slug={slug} breaking={breaking} action="Deploy anyway" onConfirm={() => void go(true)} onCancel={() => setBreaking(null)} />
      )}
      {deploy.error && !breaking && (
        <p role="alert" className="rounded bg-red-50 px-2 py-1 text-red-700">
          {deploy.error.message}
        </p>
      )}
      {done ? (
        <p role="status" className="text-emerald-700">
          Serving version {done.version} at{" "}
          <Link className="font-mono underline" href={`/endpoints/${done.slug}`}>
            /{done.slug}
          </Link>{" "}
          (revision {done.revision}).
        </p>
      ) : (
        <div className="flex gap-2">
          <button type="button" disabled={!slug || deploy.isPending} className="rounded bg-indigo-600 px-2 py-1 text-white disabled:opacity-50" onClick={() => void go(false)}>
            Deploy
          </button>
          <button type="button" className="px-2 py-1 text-slate-600" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
