"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

/** Uploads a CSV through the public REST API, so the UI and scripts share one path. */
export function UploadDataset() {
  const router = useRouter();
  const [status, setStatus] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) return setStatus({ kind: "error", text: "Choose a CSV file." });
    const name = String(form.get("name") || file.name.replace(/\.csv$/i, ""));
    setBusy(true);
    try {
      const res = await fetch(`/api/v1/datasets?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "content-type": "text/csv" }, body: file });
      const body = (await res.json()) as { error?: string; rows?: number };
      if (!res.ok) setStatus({ kind: "error", text: body.error ?? `upload failed (${res.status})` });
      else {
        setStatus({ kind: "ok", text: `Uploaded ${name}: ${body.rows} rows` });
        router.refresh();
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="mb-4 flex flex-wrap items-center gap-2 rounded border border-slate-200 bg-white p-3 text-sm">
      <input name="file" type="file" accept=".csv,text/csv" aria-label="CSV file" />
      <input name="name" placeholder="name (optional)" className="rounded border border-slate-300 px-2 py-1" aria-label="Dataset name" />
      <button type="submit" disabled={busy} className="rounded bg-sky-600 px-3 py-1 text-white hover:bg-sky-700 disabled:opacity-60">
        {busy ? "Uploading…" : "Upload CSV"}
      </button>
      {status && <span className={status.kind === "ok" ? "text-emerald-700" : "text-red-700"}>{status.text}</span>}
    </form>
  );
}
