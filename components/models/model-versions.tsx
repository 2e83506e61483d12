"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { breakingOf, ConfirmBreaking } from "../endpoints/breaking";
import { buttonClass, ErrorText, inputClass, when } from "../settings/ui";
import { useTRPC } from "../trpc";
import { tableClass } from "../ui/page";
import { lowerIsBetter } from "~/lib/pipeline/metrics";
import { HEADLINE_METRICS } from "./metrics";


/**
 * A model's versions side by side: metrics (best of each column marked), lineage (pipeline and
 * run), aliases, the endpoints serving each; set an alias or deploy a version to an endpoint.
 */
export function ModelVersions({ name, canDeploy }: { name: string; canDeploy: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const data = useQuery(trpc.model.versions.queryOptions({ name }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.model.pathKey() });
  const alias = useMutation(trpc.model.setAlias.mutationOptions({ onSuccess: refresh }));
  const deploy = useMutation(trpc.endpoint.deploy.mutationOptions({ onSuccess: refresh }));
  const [aliasName, setAliasName] = useState("champion");
  const [slug, setSlug] = useState("");
  const [confirm, setConfirm] = useState<{ breaking: string[]; id: string } | null>(null);
  const [confirmAlias, setConfirmAlias] = useState<{ breaking: string[]; version: number } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (data.error) return <ErrorText error={data.error} />;
  if (!data.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const versions = data.data.versions;
  const columns = HEADLINE_METRICS.filter((m) => versions.some((v) => v.metrics?.[m] !== undefined));
  const best = Object.fromEntries(
    columns.map((m) => {
      const values = versions.map((v) => v.metrics?.[m]).filter((x): x is number => x !== undefined);
      // Marked only where the versions differ.
      const top = lowerIsBetter(m) ? Math.min(...values) : Math.max(...values);
      return [m, values.every((x) => x === top) ? undefined : top];
    }),
  );
  /** Moves the alias; endpoints following it deploy the version, so a breaking move asks first. */
  const moveAlias = async (version: number, confirmSchemaChange = false) => {
    setConfirmAlias(null);
    try {
      const r = await alias.mutateAsync({ name, alias: aliasName, version, confirmSchemaChange });
      setDone(`${aliasName} → v${version}${r.deployed.length ? `; now live at ${r.deployed.map((d) => `/${d.slug} (revision ${d.revision})`).join(", ")}` : ""}`);
    } catch (e) {
      const breaking = breakingOf(e);
      if (breaking) setConfirmAlias({ breaking, version });
    }
  };
  const deployVersion = async (id: string, confirmSchemaChange = false) => {
    setConfirm(null);
    try {
      const r = await deploy.mutateAsync({ slug, modelVersionId: id, confirmSchemaChange });
      setDone(`v${r.modelVersion.version} is live at /${slug} (revision ${r.revision})`);
    } catch (e) {
      const breaking = breakingOf(e);
      if (breaking) setConfirm({ breaking, id });
    }
  };

  return (
    <div className="space-y-3">
      {canDeploy && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <label className="flex items-center gap-1">
            Alias
            <input aria-label="Alias" className={`${inputClass} w-28`} value={aliasName} onChange={(e) => setAliasName(e.target.value.trim())} />
          </label>
          <label className="flex items-center gap-1">
            Endpoint slug for Deploy
            <input aria-label="Endpoint slug" className={`${inputClass} w-40 font-mono`} value={slug} onChange={(e) => setSlug(e.target.value.trim())} placeholder="my-endpoint" />
          </label>
        </div>
      )}
      {confirm && (
        <ConfirmBreaking slug={slug} breaking={confirm.breaking} action="Deploy anyway" onConfirm={() => void deployVersion(confirm.id, true)} onCancel={() => setConfirm(null)} />
      )}
      {confirmAlias && (
        <ConfirmBreaking
          slug={`the endpoints following ${name}@${aliasName}`}
          breaking={confirmAlias.breaking}
          action="Move it anyway"
          onConfirm={() => void moveAlias(confirmAlias.version, true)}
          onCancel={() => setConfirmAlias(null)}
        />
      )}
      {done && (
        <p role="status" className="text-sm text-emerald-700">
          {done}
        </p>
      )}
      <ErrorText error={(confirmAlias ? null : alias.error) ?? (confirm ? null : deploy.error)} />
      <table className={tableClass} data-testid="model-versions">
        <thead>
          <tr>
            <th>Version</th>
            {columns.map((m) => (
              <th key={m}>{m}</th>
            ))}
            <th>Trained by</th>
            <th>Served by</th>
            <th>Aliases</th>
            {canDeploy && <th />}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.id}>
              <td>
                v{v.version}
                <div className="text-[10px] text-slate-500">{when(v.createdAt)}</div>
              </td>
              {columns.map((m) => {
                const x = v.metrics?.[m];
                return (
                  <td key={m} className={`font-mono text-xs ${x !== undefined && x === best[m] ? "font-bold text-emerald-700" : ""}`}>
                    {x === undefined ? "–" : x.toFixed(4)}
                  </td>
                );
              })}
              <td className="text-xs">
                {v.pipelineName ?? "–"} · {v.nodeId}
                {v.runId && (
                  <>
                    {" · "}
                    <Link className="font-mono text-sky-700 hover:underline" href={`/runs/${v.runId}`}>
                      run {v.runId.slice(0, 8)}
                    </Link>
                  </>
                )}
              </td>
              <td className="text-xs">
                {v.servedBy.map((s) => (
                  <Link key={s} className="mr-1 font-mono text-sky-700 hover:underline" href={`/endpoints/${s}`}>
                    /{s}
                  </Link>
                ))}
                {!v.servedBy.length && (v.revisions.length ? `earlier: ${[...new Set(v.revisions.map((r) => r.slug))].join(", ")}` : "–")}
                {v.retraining.map((r, i) => (
                  <div key={i} className="mt-0.5 text-[11px] text-slate-500" data-testid="retraining-verdict">
                    <a className="text-sky-700 hover:underline" href={`/endpoints/${r.slug}/monitoring`}>
                      retrained for /{r.slug}
                    </a>
                    : {r.status}
                    {r.decision ? ` — ${r.decision}` : ""}
                  </div>
                ))}
              </td>
              <td className="text-xs">{v.aliases.join(", ") || "–"}</td>
              {canDeploy && (
                <td className="whitespace-nowrap text-xs">
                  <button type="button" className="mr-2 text-sky-700 hover:underline" onClick={() => void moveAlias(v.version)}>
                    Set {aliasName || "alias"}
                  </button>
                  <button type="button" disabled={!slug} className={`${buttonClass} !px-2 !py-0.5 !text-xs`} onClick={() => void deployVersion(v.id)}>
                    Deploy
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
