"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { buttonClass, ErrorText, inputClass, when } from "../settings/ui";
import { useTRPC } from "../trpc";
import { tableClass } from "../ui/page";

const active = (status: string) => status === "queued" || status === "running";

const size = (bytes: number | null) => (bytes === null ? "" : bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

/**
 * Score a whole dataset with this endpoint's model: pick a dataset or upload a CSV, follow the
 * job chunk by chunk, download the scored file (the dataset's columns, then the prediction,
 * class probabilities and why a row could not be scored).
 */
export function BatchScoring({ slug, canRun }: { slug: string; canRun: boolean }) {
  const trpc = useTRPC();
  const jobs = useQuery({
    ...trpc.batch.list.queryOptions({ slug }),
    refetchInterval: (q) => (q.state.data?.some((j) => active(j.status)) ? 1000 : false),
  });
  const datasets = useQuery(trpc.dataset.list.queryOptions());
  const start = useMutation(trpc.batch.start.mutationOptions({ onSuccess: () => void jobs.refetch() }));
  const cancel = useMutation(trpc.batch.cancel.mutationOptions({ onSuccess: () => void jobs.refetch() }));
  const remove = useMutation(trpc.batch.remove.mutationOptions({ onSuccess: () => void jobs.refetch() }));
  const [datasetId, setDatasetId] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string } | null>(null);

  const score = async (id: string) => {
    setError(null);
    try {
      await start.mutateAsync({ slug, datasetId: id });
    } catch (e) {
      setError(e as Error);
    }
  };

  /**
   * An uploaded CSV becomes a dataset (types inferred as at any upload), then is scored. Its name
   * says what it is for: named after the file alone, it would become the newest version of a
   * training dataset of that name, which pipelines, triggers and retraining read.
   */
  const uploadAndScore = async (file: File) => {
    setBusy(`Uploading ${file.name}…`);
    setError(null);
    try {
      const name = `${file.name.replace(/\.(csv|tsv|txt)$/i, "")} (to score on ${slug})`.slice(0, 200);
      const res = await fetch(`/api/v1/datasets?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "content-type": "text/csv" }, body: file });
      const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string };
      if (!res.ok || !body.id) throw new Error(body.error ?? `upload failed (${res.status})`);
      void datasets.refetch();
      setDatasetId(body.id);
      await score(body.id);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="space-y-2 text-sm">
      {canRun && (
        <div className="flex flex-wrap items-center gap-2">
          <select aria-label="Dataset to score" className={inputClass} value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">Choose a dataset…</option>
            {(datasets.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.versions > 1 ? ` v${d.version}${d.version === d.versions ? " (latest)" : ""}` : ""} · {d.rows.toLocaleString()} rows
              </option>
            ))}
          </select>
          <button type="button" className={buttonClass} disabled={!datasetId || start.isPending} onClick={() => void score(datasetId)}>
            Score dataset
          </button>
          <span className="text-xs text-slate-500">or</span>
          <label className="cursor-pointer rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50">
            Upload a CSV and score it
            <input
              type="file"
              accept=".csv,.tsv,.txt,text/csv"
              className="sr-only"
              aria-label="CSV file to score"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void uploadAndScore(file);
              }}
            />
          </label>
          {busy && <span role="status" className="text-xs text-slate-500">{busy}</span>}
        </div>
      )}
      <ErrorText error={error ?? cancel.error ?? remove.error} />
      {(jobs.data ?? []).length > 0 && (
        <table className={tableClass} data-testid="batch-scores">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Model</th>
              <th>Progress</th>
              <th>Started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {jobs.data!.map((j) => {
              const pct = j.rowsTotal ? Math.round((100 * j.rowsScored) / j.rowsTotal) : 0;
              return (
                <tr key={j.id} data-status={j.status}>
                  <td>{j.datasetName}</td>
                  <td>
                    {j.model} v{j.version}
                  </td>
                  <td className="min-w-56">
                    <div className="flex items-center gap-2">
                      <div className="h-2 w-28 overflow-hidden rounded bg-slate-100" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} aria-label={`${j.datasetName} scored`}>
                        <div className={`h-full ${j.status === "failed" ? "bg-red-500" : "bg-sky-500"}`} style={{ width: `${pct}%` }} />
                      </div>
                      <span className="text-xs text-slate-600">
                        {j.status === "succeeded"
                          ? `${j.rowsScored.toLocaleString()} rows`
                          : j.status === "running" || j.status === "queued"
                            ? `${j.rowsScored.toLocaleString()} / ${j.rowsTotal.toLocaleString()} rows · chunk ${j.chunksDone}/${j.chunksTotal}`
                            : j.status}
                      </span>
                    </div>
                    {j.rowsFailed > 0 && <div className="text-xs text-amber-700">{j.rowsFailed.toLocaleString()} rows not scored: see the scoring_error column</div>}
                    {j.error && <div className="text-xs text-red-700">{j.error}</div>}
                  </td>
                  <td className="text-xs text-slate-500">
                    {when(j.createdAt)}
                    {j.keptUntil && <div title="BATCH_RETENTION_DAYS: the job and its file are deleted then">kept until {new Date(j.keptUntil).toLocaleDateString()}</div>}
                  </td>
                  <td className="whitespace-nowrap text-xs">
                    {j.downloadUrl && (
                      <>
                        <a className="text-sky-700 hover:underline" href={j.downloadUrl} download>
                          Download CSV
                        </a>{" "}
                        <span className="text-slate-400">{size(j.resultBytes)}</span> ·{" "}
                        <a className="text-sky-700 hover:underline" href={`${j.downloadUrl}?format=parquet`} download>
                          Parquet
                        </a>
                      </>
                    )}
                    {canRun && active(j.status) && (
                      <button type="button" className="text-red-600 hover:underline" onClick={() => window.confirm(`Cancel scoring ${j.datasetName}?`) && cancel.mutate({ id: j.id })}>
                        Cancel
                      </button>
                    )}
                    {canRun && !active(j.status) && (
                      <button
                        type="button"
                        className="ml-2 text-red-600 hover:underline"
                        aria-label={`Delete the scoring of ${j.datasetName}`}
                        onClick={() => window.confirm(`Delete this scoring of ${j.datasetName} and its file? This cannot be undone.`) && remove.mutate({ id: j.id })}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
