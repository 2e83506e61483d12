"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { columnKinds, columnRoles, type ColumnKind, type ColumnRole } from "~/lib/pipeline/document";
import { encodings, type ColumnChoice, type CsvOptions, type Preview } from "~/lib/pipeline/ingest";

type Staged = Preview & { upload: { id: string; filename: string; format: string; size: number } };

const inputClass = "rounded border border-slate-300 px-2 py-1 text-sm focus:border-sky-500 focus:outline-none";
const delimiters: [string, string][] = [
  [",", "comma ,"],
  [";", "semicolon ;"],
  ["\t", "tab"],
  ["|", "pipe |"],
];

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `failed (${res.status})`);
  return body;
}

/**
 * Adding a dataset in two steps: the file (or a URL) is staged and previewed — dialect, each
 * column's kind and role, warnings — and the user changes what Millrace got wrong before saving.
 * Uses the public REST API, so the UI and scripts share one path.
 */
export function UploadWizard() {
  const router = useRouter();
  const [staged, setStaged] = useState<Staged | null>(null);
  const [options, setOptions] = useState<CsvOptions>({});
  const [choices, setChoices] = useState<Record<string, ColumnChoice>>({});
  const [name, setName] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const stageFile = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const file = form.get("file");
    const url = String(form.get("url") ?? "").trim();
    void run("Reading", async () => {
      let s: Staged;
      if (url) s = await call<Staged>("/api/v1/uploads", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url }) });
      else if (file instanceof File && file.size > 0) {
        s = await call<Staged>(`/api/v1/uploads?filename=${encodeURIComponent(file.name)}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: file });
        setName(file.name.replace(/\.(csv|tsv|txt|parquet|pq|jsonl|ndjson)$/i, ""));
      } else if (file instanceof File && file.name) throw new Error(`${file.name} is empty.`);
      else throw new Error("Choose a file, or paste an https URL.");
      if (url) setName(s.upload.filename.replace(/\.[a-z]+$/i, ""));
      setStaged(s);
      setOptions({});
      setChoices({});
      setSaved(null);
    });
  };

  const reread = (next: CsvOptions) => {
    setOptions(next);
    if (!staged) return;
    void run("Reading again", async () => {
      const p = await call<Preview>(`/api/v1/uploads/${staged.upload.id}/preview`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ options: next }) });
      setStaged({ ...staged, ...p });
      setChoices({});
    });
  };

  const save = () =>
    void run("Saving", async () => {
      const ds = await call<{ name: string; rows: number }>("/api/v1/datasets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ upload: staged!.upload.id, name, options, columns: choices }),
      });
      setSaved(`Saved ${ds.name}: ${ds.rows.toLocaleString("en")} rows`);
      setStaged(null);
      router.refresh();
    });

  const choose = (column: string, patch: ColumnChoice) => setChoices((c) => ({ ...c, [column]: { ...c[column], ...patch } }));
  const d = staged?.dialect;

  return (
    <section className="mb-6 rounded border border-slate-200 bg-white p-3 text-sm" aria-label="Add a dataset">
      <form onSubmit={stageFile} className="flex flex-wrap items-center gap-2">
        <input name="file" type="file" accept=".csv,.tsv,.txt,.parquet,.pq,.jsonl,.ndjson,text/csv" aria-label="Data file" />
        <span className="text-slate-400">or</span>
        <input name="url" type="url" placeholder="https://… (CSV, Parquet, JSON Lines)" aria-label="Dataset URL" className={`${inputClass} w-80`} />
        <button type="submit" disabled={!!busy} className="rounded bg-sky-600 px-3 py-1 text-white hover:bg-sky-700 disabled:opacity-60">
          {busy === "Reading" ? "Reading…" : "Preview"}
        </button>
        {saved && <span role="status" className="text-emerald-700">{saved}</span>}
      </form>
      {error && (
        <p role="alert" className="mt-2 rounded bg-red-50 px-2 py-1 text-xs text-red-700">
          {error}
        </p>
      )}
      {staged && d && (
        <div className="mt-4" data-testid="upload-preview">
          <p className="mb-2 text-xs text-slate-500">
            {staged.upload.filename} · {staged.format.toUpperCase()} · {(staged.upload.size / 1024).toFixed(0)} KiB · read {staged.rowsRead.toLocaleString("en")} rows
            {staged.sampled ? " (a sample; every row is checked on save)" : ""}
          </p>
          {staged.format === "csv" && (
            <div className="mb-3 flex flex-wrap items-center gap-3 text-xs">
              <label className="flex items-center gap-1">
                Delimiter
                <select aria-label="Delimiter" className={inputClass} value={d.delimiter} onChange={(e) => reread({ ...options, delimiter: e.target.value })}>
                  {delimiters.map(([v, label]) => (
                    <option key={label} value={v}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-1">
                Encoding
                <select aria-label="Encoding" className={inputClass} value={d.encoding} onChange={(e) => reread({ ...options, encoding: e.target.value as CsvOptions["encoding"] })}>
                  {encodings.map((x) => (
                    <option key={x}>{x}</option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-1">
                Decimal
                <select aria-label="Decimal separator" className={inputClass} value={d.decimal} onChange={(e) => reread({ ...options, decimal: e.target.value as "." | "," })}>
                  <option value=".">point .</option>
                  <option value=",">comma ,</option>
                </select>
              </label>
              <label className="flex items-center gap-1">
                <input type="checkbox" checked={d.header} onChange={(e) => reread({ ...options, header: e.target.checked })} />
                first line is the header
              </label>
              <label className="flex min-w-0 flex-1 basis-full items-center gap-1">
                Missing values
                <input
                  aria-label="Missing-value tokens"
                  className={`${inputClass} min-w-0 flex-1 font-mono text-xs`}
                  defaultValue={d.missing.map((m) => (m === "" ? '""' : m)).join(" ")}
                  onBlur={(e) => reread({ ...options, missing: e.target.value.split(/\s+/).filter(Boolean).map((m) => (m === '""' ? "" : m)) })}
                />
              </label>
              {busy === "Reading again" && <span className="text-slate-400">reading…</span>}
            </div>
          )}
          {staged.warnings.length > 0 && (
            <ul className="mb-3 space-y-1 text-xs" aria-label="Warnings">
              {staged.warnings.map((w, i) => (
                <li key={i} className="rounded bg-amber-50 px-2 py-1 text-amber-900">
                  {w.message}
                </li>
              ))}
            </ul>
          )}
          <div className="max-h-96 overflow-auto rounded border border-slate-200">
            <table className="w-full text-xs [&_td]:px-2 [&_td]:py-1 [&_th]:px-2 [&_th]:py-1 [&_th]:text-left [&_th]:font-medium [&_th]:text-slate-500 [&_tr]:border-t [&_tr]:border-slate-100">
              <thead className="sticky top-0 bg-slate-50">
                <tr>
                  <th>Column</th>
                  <th>Kind</th>
                  <th>Role</th>
                  <th>Missing</th>
                  <th>Distinct</th>
                  <th>Most frequent values</th>
                </tr>
              </thead>
              <tbody>
                {staged.columns.map((c) => {
                  const ch = choices[c.name] ?? {};
                  return (
                    <tr key={c.name} data-testid={`column-${c.name}`}>
                      <td>
                        <input aria-label={`Name of ${c.name}`} className={`${inputClass} w-40 font-mono text-xs`} defaultValue={c.name} onBlur={(e) => choose(c.name, { rename: e.target.value === c.name ? undefined : e.target.value })} />
                      </td>
                      <td>
                        <select aria-label={`Kind of ${c.name}`} className={inputClass} value={ch.kind ?? c.kind} onChange={(e) => choose(c.name, { kind: e.target.value as ColumnKind })}>
                          {columnKinds.map((k) => (
                            <option key={k}>{k}</option>
                          ))}
                        </select>
                        {(ch.kind ?? c.kind) === c.kind && c.format && <span className="ml-1 font-mono text-[10px] text-slate-400">{c.format}</span>}
                      </td>
                      <td>
                        <select aria-label={`Role of ${c.name}`} className={inputClass} value={ch.role ?? c.role} onChange={(e) => choose(c.name, { role: e.target.value as ColumnRole })}>
                          {columnRoles.map((r) => (
                            <option key={r}>{r}</option>
                          ))}
                        </select>
                      </td>
                      <td>{c.missing.toLocaleString("en")}</td>
                      <td>{c.distinct.toLocaleString("en")}</td>
                      <td className="max-w-72 truncate font-mono text-[11px] text-slate-500" title={c.samples.join(" · ")}>
                        {c.samples.join(" · ")}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="mt-3 flex items-center gap-2">
            <input aria-label="Dataset name" required maxLength={200} className={`${inputClass} w-64`} value={name} onChange={(e) => setName(e.target.value)} placeholder="dataset name" />
            <button type="button" onClick={save} disabled={!!busy || !name.trim()} className="rounded bg-sky-600 px-3 py-1 text-white hover:bg-sky-700 disabled:opacity-60">
              {busy === "Saving" ? "Saving…" : "Save dataset"}
            </button>
            <button type="button" onClick={() => setStaged(null)} className="rounded px-2 py-1 text-slate-500 hover:bg-slate-100">
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
