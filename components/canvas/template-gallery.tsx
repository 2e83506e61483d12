"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc";

/** "New from template": ready pipelines over bundled sample datasets, one click to a canvas that runs. */
export function TemplateGallery() {
  const trpc = useTRPC();
  const router = useRouter();
  const list = useQuery(trpc.pipeline.templates.queryOptions());
  const create = useMutation(trpc.pipeline.fromTemplate.mutationOptions({ onSuccess: (p) => router.push(`/pipelines/${p.id}`) }));
  if (!list.data?.length) return null;
  return (
    <section aria-label="Templates" className="mb-6">
      <h2 className="mb-2 text-sm font-semibold text-slate-700">New from a template</h2>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        {list.data.map((t) => (
          <div key={t.id} className="flex flex-col rounded border border-slate-200 bg-white p-3">
            <h3 className="text-sm font-medium">{t.title}</h3>
            <p className="mt-1 flex-1 text-xs text-slate-600">{t.description}</p>
            <p className="mt-1 text-[11px] text-slate-400">Data: {t.source}</p>
            <button
              type="button"
              disabled={create.isPending}
              onClick={() => create.mutate({ template: t.id })}
              className="mt-2 self-start rounded border border-sky-600 px-2 py-0.5 text-xs text-sky-700 hover:bg-sky-50 disabled:opacity-50"
              aria-label={`Use ${t.title}`}
            >
              Use this template
            </button>
          </div>
        ))}
      </div>
      {create.isError && <p className="mt-2 text-xs text-red-600">{create.error.message}</p>}
    </section>
  );
}
