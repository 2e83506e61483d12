"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc";

interface InstanceSchema {
  required?: string[];
  /** A row of the training data, when the registry kept one. */
  examples?: Record<string, unknown>[];
  properties?: Record<string, { type?: string | string[]; anyOf?: { type?: string; enum?: unknown[] }[] }>;
}

/**
 * A body the endpoint accepts: a row of the training data when the endpoint's document has one;
 * otherwise its required fields only, each `null` where the model takes a missing value, else a
 * value of the field's type.
 */
function exampleFor(schema: InstanceSchema): Record<string, unknown> {
  if (schema.examples?.[0]) return schema.examples[0];
  return Object.fromEntries(
    (schema.required ?? []).map((name) => {
      const p = schema.properties?.[name] ?? {};
      const types = p.anyOf ? p.anyOf.map((o) => o.type ?? "enum") : Array.isArray(p.type) ? p.type : [p.type];
      if (types.includes("null")) return [name, null];
      const t = types[0];
      return [name, t === "number" || t === "integer" ? 0 : t === "boolean" ? false : ""];
    }),
  );
}

/** One shell word, whatever the body holds (a value like O'Brien included). */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

type Lang = "curl" | "TypeScript" | "Python";

/** A JSON value as a Python literal (None, True, False; strings as JSON writes them, which Python reads). */
function python(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `[${v.map(python).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${python(x)}`).join(", ")}}`;
  return JSON.stringify(v);
}

/** How to call the endpoint from a shell, TypeScript (fetch) or Python (requests), with a key when it is private. */
function snippet(lang: Lang, url: string, body: string, isPrivate: boolean): string {
  if (lang === "curl") {
    return `curl -s -X POST ${url} \\\n  -H 'content-type: application/json' \\\n${isPrivate ? "  -H \"Authorization: Bearer $MILLRACE_KEY\" \\\n" : ""}  -d ${shellQuote(body)}`;
  }
  if (lang === "TypeScript") {
    const auth = isPrivate ? `, authorization: \`Bearer \${process.env.MILLRACE_KEY}\`` : "";
    return `const res = await fetch(${JSON.stringify(url)}, {\n  method: "POST",\n  headers: { "content-type": "application/json"${auth} },\n  body: JSON.stringify(${body || "{}"}),\n});\nconst { predictions, requestId } = await res.json();`;
  }
  const auth = isPrivate ? `, "Authorization": f"Bearer {os.environ['MILLRACE_KEY']}"` : "";
  let pyBody = body || "{}";
  try {
    pyBody = python(JSON.parse(pyBody));
  } catch {
    /* shown as typed */
  }
  return `${isPrivate ? "import os\n" : ""}import requests\n\nres = requests.post(\n    ${JSON.stringify(url)},\n    json=${pyBody},\n    headers={"content-type": "application/json"${auth}},\n)\nprint(res.json()["predictions"])`;
}

/**
 * Shows how to call an endpoint and calls it in one click. The UI's call goes through tRPC (a
 * signed-in member needs no serving key); scripts use the curl line, with a key when the
 * endpoint is private.
 */
export function EndpointTry({ slug, url, access, manage = true }: { slug: string; url: string; access?: "private" | "public"; manage?: boolean }) {
  const trpc = useTRPC();
  const doc = useQuery(trpc.endpoint.openapi.queryOptions({ slug }));
  const tryIt = useMutation(trpc.endpoint.tryIt.mutationOptions());
  const [edited, setBody] = useState<string | null>(null);
  const [lang, setLang] = useState<Lang>("curl");
  const schema = (doc.data as { components?: { schemas?: { Instance?: InstanceSchema } } } | undefined)?.components?.schemas?.Instance;
  const body = edited ?? (schema ? JSON.stringify(exampleFor(schema), null, 0) : "");
  const isPrivate = access === "private" || (doc.data as { security?: object[] } | undefined)?.security?.length === 1;
  const response = tryIt.data ? { status: tryIt.data.status, text: JSON.stringify(tryIt.data.body) } : tryIt.error ? { status: 400, text: tryIt.error.message } : null;

  return (
    <div className="rounded border border-slate-200 bg-white p-3" data-testid={`endpoint-${slug}`}>
      <div className="mb-2 flex items-center justify-between">
        <span className="font-mono text-sm">POST /api/v1/endpoints/{slug}/predict</span>
        <span className="flex gap-3 text-xs">
          <span className={isPrivate ? "text-amber-700" : "text-emerald-700"}>{isPrivate ? "private: callers send a serving key" : "public"}</span>
          {manage && (
            <a className="text-sky-700 hover:underline" href={`/endpoints/${slug}`}>
              Manage
            </a>
          )}
        </span>
      </div>
      <div className="mb-1 flex gap-1 text-[11px]" role="tablist" aria-label="Snippet language">
        {(["curl", "TypeScript", "Python"] as const).map((l) => (
          <button key={l} type="button" role="tab" aria-selected={lang === l} className={`rounded px-2 py-0.5 ${lang === l ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100"}`} onClick={() => setLang(l)}>
            {l}
          </button>
        ))}
        <button type="button" className="ml-auto rounded px-2 py-0.5 text-slate-600 hover:bg-slate-100" onClick={() => void navigator.clipboard?.writeText(snippet(lang, url, body, isPrivate))}>
          Copy
        </button>
      </div>
      <pre data-testid="endpoint-snippet" className="mb-2 whitespace-pre-wrap break-all rounded bg-slate-900 p-2 text-[11px] text-slate-100">
        {snippet(lang, url, body, isPrivate)}
      </pre>
      <textarea
        aria-label="Request body"
        className="mb-2 h-16 w-full rounded border border-slate-300 p-1 font-mono text-xs"
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      <button type="button" onClick={() => tryIt.mutate({ slug, body })} className="rounded bg-indigo-600 px-3 py-1 text-sm text-white hover:bg-indigo-700">
        Send request
      </button>
      {response && (
        <pre data-testid="endpoint-response" className={`mt-2 whitespace-pre-wrap break-all rounded p-2 text-xs ${response.status === 200 ? "bg-emerald-50" : "bg-red-50"}`}>
          {response.status} {response.text}
        </pre>
      )}
    </div>
  );
}
