"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EndpointTry } from "../run/endpoint-try";
import { buttonClass, ErrorText, inputClass, Section, when } from "../settings/ui";
import { useTRPC } from "../trpc";
import { BatchScoring } from "./batch-scoring";
import { breakingOf, ConfirmBreaking } from "./breaking";
import { headline } from "../models/metrics";
import { tableClass } from "../ui/page";

/** A choice of the deploy menu: a model version's id, or `alias:<model>@<alias>`. */
function deployTarget(choice: string): { modelVersionId: string } | { model: string; alias: string } {
  if (!choice.startsWith("alias:")) return { modelVersionId: choice };
  const at = choice.lastIndexOf("@");
  return { model: choice.slice("alias:".length, at), alias: choice.slice(at + 1) };
}

/** The section a change was made in: its error is shown there. */
type Where = "access" | "traffic" | "deploy" | "revisions";

interface Variant {
  modelVersionId: string;
  weight: number;
  shadow?: boolean;
  guardrail?: { minAccuracy?: number; maxRmse?: number; minLabelled?: number; maxErrorRate?: number; maxP99Ms?: number; minRequests?: number };
}

/** A variant's guardrail in words: each bound and how much evidence it waits for. */
function guardrailText(g: NonNullable<Variant["guardrail"]>): string {
  const labels = `over ${g.minLabelled ?? 50}+ labels`;
  const requests = `over ${g.minRequests ?? 100}+ requests`;
  return [
    g.minAccuracy !== undefined && `accuracy ≥ ${g.minAccuracy} ${labels}`,
    g.maxRmse !== undefined && `RMSE ≤ ${g.maxRmse} ${labels}`,
    g.maxErrorRate !== undefined && `errors ≤ ${g.maxErrorRate * 100}% ${requests}`,
    g.maxP99Ms !== undefined && `p99 ≤ ${g.maxP99Ms} ms ${requests}`,
  ]
    .filter(Boolean)
    .join("; ");
}

/**
 * One endpoint, operated: who may call it, its traffic split (A/B and shadows, promote in one
 * click), deploys of any model version, its revision history with rollback, and live accuracy
 * from feedback. A change that would break callers asks for confirmation, naming what breaks.
 */
export function EndpointDetail({ slug, canDeploy, canRun }: { slug: string; canDeploy: boolean; canRun: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.endpoint.detail.queryOptions({ slug }));
  const models = useQuery({ ...trpc.model.list.queryOptions(), enabled: canDeploy });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.endpoint.pathKey() });
  const deploy = useMutation(trpc.endpoint.deploy.mutationOptions({ onSuccess: refresh }));
  const roll = useMutation(trpc.endpoint.rollback.mutationOptions({ onSuccess: refresh }));
  const traffic = useMutation(trpc.endpoint.setTraffic.mutationOptions({ onSuccess: refresh }));
  const settings = useMutation(trpc.endpoint.settings.mutationOptions({ onSuccess: refresh }));
  const [confirm, setConfirm] = useState<{ breaking: string[]; where: Where; go: () => Promise<unknown> } | null>(null);
  const [chosen, setChosen] = useState("");
  const [draft, setDraft] = useState<Variant[] | null>(null);
  const [error, setError] = useState<{ message: string; where: Where } | null>(null);
  const [logPct, setLogPct] = useState<string | null>(null);
  const [logSaved, setLogSaved] = useState(false);

  if (detail.error) return <ErrorText error={detail.error} />;
  const d = detail.data;
  if (!d) return <p className="text-sm text-slate-500">Loading…</p>;
  const versionOf = (id: string) => d.versions.find((v) => v.id === id);
  const label = (id: string) => {
    const v = versionOf(id);
    return v ? `${v.name} v${v.version}` : id.slice(0, 8);
  };
  const split: Variant[] = d.traffic?.length ? d.traffic : [{ modelVersionId: d.modelVersionId, weight: 1 }];
  const editing = draft ?? split;

  /** Runs a change; a 409 naming breaking changes becomes a confirmation, then the same change confirmed. */
  const attempt = async (where: Where, run: (confirmSchemaChange: boolean) => Promise<unknown>) => {
    setError(null);
    try {
      await run(false);
    } catch (e) {
      const breaking = breakingOf(e);
      if (breaking) setConfirm({ breaking, where, go: () => run(true) });
      else setError({ message: (e as Error).message, where });
    }
  };
  // What a section says after an action there: its error, or — for a change that would break callers — the confirmation it needs.
  const noticesIn = (where: Where) => (
    <>
      {confirm?.where === where && (
        <ConfirmBreaking
          slug={slug}
          breaking={confirm.breaking}
          action="Go ahead"
          onConfirm={() => {
            const go = confirm.go;
            setConfirm(null);
            go().catch((e: unknown) => setError({ message: (e as Error).message, where }));
          }}
          onCancel={() => setConfirm(null)}
        />
      )}
      <ErrorText error={error?.where === where ? error : null} />
    </>
  );

  return (
    <div className="space-y-2">
      <p className="text-sm">
        <a className="text-sky-700 hover:underline" href={`/endpoints/${slug}/monitoring`}>
          Monitoring: traffic, latency, drift and alarms →
        </a>
      </p>
      <Section title="Access">
        <div className="flex flex-wrap items-center gap-4 text-sm">
          <span data-testid="endpoint-access" className={d.access === "public" ? "text-emerald-700" : "text-amber-700"}>
            {d.access === "public" ? "Public: anyone who can reach the server may call it." : "Private: callers send a serving key (Settings → Serving keys)."}
          </span>
          {canDeploy && (
            <button
              type="button"
              className={buttonClass}
              onClick={() =>
                window.confirm(d.access === "public" ? `Make /${slug} private? Callers without a serving key get 401 at once.` : `Make /${slug} public? Anyone who can reach the server may call it.`) &&
                void attempt("access", () => settings.mutateAsync({ slug, access: d.access === "public" ? "private" : "public" }))
              }
            >
              Make {d.access === "public" ? "private" : "public"}
            </button>
          )}
          <form
            className="flex items-center gap-1 text-xs text-slate-600"
            onSubmit={(e) => {
              e.preventDefault();
              const pct = Math.min(100, Math.max(0, Number(logPct ?? d.logSample * 100)));
              setLogPct(String(pct));
              void attempt("access", async () => {
                await settings.mutateAsync({ slug, logSample: pct / 100 });
                setLogSaved(true);
              });
            }}
          >
            <label className="flex items-center gap-1">
              Log
              <input
                aria-label="Share of requests logged (percent)"
                type="number"
                min={0}
                max={100}
                disabled={!canDeploy}
                className={`${inputClass} w-16`}
                value={logPct ?? String(Math.round(d.logSample * 100))}
                onChange={(e) => {
                  setLogPct(e.target.value);
                  setLogSaved(false);
                }}
              />
              % of requests (inputs, predictions, latency), for feedback and drift
            </label>
            {canDeploy && (
              <button type="submit" className="rounded border border-slate-300 px-2 py-0.5">
                Save
              </button>
            )}
            {logSaved && <span role="status">saved</span>}
          </form>
        </div>
        {noticesIn("access")}
      </Section>

      <Section title="Traffic">
        {d.follows && (
          <p className="mb-2 text-xs text-slate-600" data-testid="follows">
            Follows{" "}
            <a className="font-mono text-sky-700 hover:underline" href={`/models/${encodeURIComponent(d.follows.model)}`}>
              {d.follows.model}@{d.follows.alias}
            </a>
            : when the alias moves, this endpoint serves the version it names.
          </p>
        )}
        <table className={tableClass} data-testid="traffic">
          <thead>
            <tr>
              <th>Model version</th>
              <th>Share of traffic</th>
              <th>Shadow</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {editing.map((v, i) => (
              <tr key={i}>
                <td>
                  {draft ? (
                    <select
                      aria-label={`Variant ${i + 1} model version`}
                      className={inputClass}
                      value={v.modelVersionId}
                      onChange={(e) => setDraft(editing.map((x, j) => (j === i ? { ...x, modelVersionId: e.target.value } : x)))}
                    >
                      {d.versions.map((m) => (
                        <option key={m.id} value={m.id}>
                          {m.name} v{m.version}
                        </option>
                      ))}
                    </select>
                  ) : (
                    label(v.modelVersionId)
                  )}
                </td>
                <td>
                  {draft ? (
                    <input
                      aria-label={`Variant ${i + 1} weight`}
                      type="number"
                      min={0}
                      className={`${inputClass} w-20`}
                      value={v.weight}
                      disabled={v.shadow}
                      onChange={(e) => setDraft(editing.map((x, j) => (j === i ? { ...x, weight: Number(e.target.value) } : x)))}
                    />
                  ) : v.shadow ? (
                    "copies only"
                  ) : (
                    `${Math.round(v.weight * 1000) / 10}%`
                  )}
                  {!draft && v.guardrail && (
                    <div className="text-[10px] text-slate-500">
                      guardrail: {guardrailText(v.guardrail)}
                    </div>
                  )}
                </td>
                <td>
                  {draft ? (
                    <input
                      aria-label={`Variant ${i + 1} shadow`}
                      type="checkbox"
                      checked={!!v.shadow}
                      onChange={(e) => setDraft(editing.map((x, j) => (j === i ? { ...x, shadow: e.target.checked, weight: x.weight || 1 } : x)))}
                    />
                  ) : v.shadow ? (
                    "yes"
                  ) : (
                    "no"
                  )}
                </td>
                <td>
                  {draft ? (
                    <button type="button" className="text-xs text-red-600" onClick={() => setDraft(editing.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  ) : (
                    canDeploy &&
                    (v.shadow || split.filter((x) => !x.shadow && x.weight > 0).length > 1) && (
                      <button
                        type="button"
                        className="text-xs text-sky-700 hover:underline"
                        onClick={() =>
                          window.confirm(`Send all traffic of /${slug} to ${label(v.modelVersionId)}? The other variants stop answering.`) &&
                          void attempt("traffic", (c) => traffic.mutateAsync({ slug, variants: [{ modelVersionId: v.modelVersionId, weight: 1 }], confirmSchemaChange: c }))
                        }
                      >
                        Promote to all traffic
                      </button>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {canDeploy && (
          <div className="mt-2 flex gap-2">
            {draft ? (
              <>
                <button type="button" className="rounded border border-slate-300 px-2 py-1 text-xs" onClick={() => setDraft([...editing, { modelVersionId: d.versions[0]?.id ?? d.modelVersionId, weight: 1 }])}>
                  Add variant
                </button>
                <button
                  type="button"
                  className={buttonClass}
                  onClick={() =>
                    void attempt("traffic", async (c) => {
                      // A shadow answers no one: its weight is 0, whatever the field shows.
                      await traffic.mutateAsync({ slug, variants: editing.map((v) => (v.shadow ? { ...v, weight: 0 } : v)), confirmSchemaChange: c });
                      setDraft(null);
                    })
                  }
                >
                  Save split
                </button>
                <button type="button" className="px-2 py-1 text-xs text-slate-600" onClick={() => setDraft(null)}>
                  Cancel
                </button>
              </>
            ) : (
              <button type="button" className="rounded border border-slate-300 px-2 py-1 text-xs" onClick={() => setDraft(split.map((v) => ({ ...v, weight: v.shadow ? 0 : Math.round(v.weight * 100) })))}>
                Edit split (A/B, shadow)
              </button>
            )}
          </div>
        )}
        {noticesIn("traffic")}
        <p className="mt-1 text-xs text-slate-500">
          Callers keep their variant by sending the same Millrace-Variant-Key header. A shadow gets a copy of every request after the response is sent. A variant with a guardrail (set through
          PUT /api/v1/endpoints/{slug}/traffic) becomes a shadow once its live accuracy from feedback, its error rate or its p99 latency is confidently past its bound.
        </p>
      </Section>

      {canDeploy && (
        <Section title="Deploy a model version">
          <div className="flex items-center gap-2">
            <select aria-label="Model version to deploy" className={inputClass} value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">Choose a model version…</option>
              {d.versions.map((m) => (
                <option key={m.id} value={m.id}>
                  {[`${m.name} v${m.version}`, m.task, headline(m.metrics)].filter(Boolean).join(" · ")}
                </option>
              ))}
              {(models.data ?? []).some((m) => Object.keys(m.aliases).length) && (
                <optgroup label="Follow an alias">
                  {(models.data ?? []).flatMap((m) =>
                    Object.entries(m.aliases).map(([a, v]) => (
                      <option key={`${m.name}@${a}`} value={`alias:${m.name}@${a}`}>
                        {m.name}@{a} (now v{v})
                      </option>
                    )),
                  )}
                </optgroup>
              )}
            </select>
            <button type="button" className={buttonClass} disabled={!chosen} onClick={() => void attempt("deploy", (c) => deploy.mutateAsync({ slug, ...deployTarget(chosen), confirmSchemaChange: c }))}>
              Deploy
            </button>
          </div>
          <p className="mt-1 text-xs text-slate-500">
            Deployed by alias, the endpoint follows it: moving the alias (on the model&apos;s page, or PUT /api/v1/models/&lt;name&gt;/aliases/&lt;alias&gt;) deploys the version it then names.
          </p>
          {noticesIn("deploy")}
        </Section>
      )}

      <Section title="Live performance (from feedback)">
        {d.performance.length === 0 ? (
          <p className="text-xs text-slate-500">No logged predictions yet. Send ground truth to POST /api/v1/endpoints/{slug}/feedback with the requestId of a prediction.</p>
        ) : (
          <table className={tableClass} data-testid="performance">
            <thead>
              <tr>
                <th>Model version</th>
                <th>Role</th>
                <th>Predictions logged</th>
                <th>With feedback</th>
                <th>{d.task === "classification" ? "Accuracy (95% interval)" : "RMSE · MAE"}</th>
              </tr>
            </thead>
            <tbody>
              {d.performance.map((p) => (
                <tr key={`${p.modelVersionId}-${p.shadow}`}>
                  <td>
                    {p.name} v{p.version}
                  </td>
                  {/* Which traffic the version saw: callers' (its answers were returned) or shadow copies; not whether it serves now (see Revisions). */}
                  <td>{p.shadow ? "shadow copies" : "answered callers"}</td>
                  <td>{p.predictions.toLocaleString("en")}</td>
                  <td>{p.labelled.toLocaleString("en")}</td>
                  <td className="font-mono text-xs">
                    {p.labelled === 0
                      ? "–"
                      : p.accuracy !== undefined
                        ? `${p.accuracy.toFixed(3)} (${p.low!.toFixed(3)}–${p.high!.toFixed(3)})`
                        : `${p.rmse!.toFixed(3)} · ${p.mae!.toFixed(3)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Revisions">
        {noticesIn("revisions")}
        <table className={tableClass} data-testid="revisions">
          <thead>
            <tr>
              <th>Revision</th>
              <th>Change</th>
              <th>Model version</th>
              <th>When</th>
              <th>Who</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {d.revisions.map((r) => (
              <tr key={r.revision}>
                <td>
                  {r.revision} {r.live && <span className="rounded bg-emerald-100 px-1 text-xs text-emerald-800">live</span>}
                </td>
                <td>{r.kind === "guardrail" ? "guardrail stopped a variant" : r.kind === "rollback" ? "rollback" : r.kind === "alias" ? "alias moved" : r.kind === "traffic" ? `split: ${(r.traffic ?? []).map((t) => `${label(t.modelVersionId)} ${t.shadow ? "shadow" : `${Math.round(t.weight * 100)}%`}`).join(", ")}` : r.kind}</td>
                <td>
                  {r.model} v{r.version}
                </td>
                <td>{when(r.createdAt)}</td>
                <td>{r.actor ?? (r.runId ? "pipeline run" : "–")}</td>
                <td>
                  {canDeploy && !r.live && (
                    <button
                      type="button"
                      className="text-xs text-sky-700 hover:underline"
                      onClick={() => window.confirm(`Serve again what revision ${r.revision} served (${r.model} v${r.version})?`) && void attempt("revisions", (c) => roll.mutateAsync({ slug, revision: r.revision, confirmSchemaChange: c }))}
                    >
                      Roll back to this
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Batch scoring">
        <BatchScoring slug={slug} canRun={canRun} />
      </Section>

      <Section title="Try it">
        <EndpointTry slug={slug} url={d.url} access={d.access} manage={false} />
      </Section>
    </div>
  );
}
