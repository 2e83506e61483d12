"use client";

import { useEffect, useState } from "react";

interface InstanceSchema {
  required?: string[];
  properties?: Record<string, { type?: string | string[]; anyOf?: { type?: string; enum?: unknown[] }[] }>;
}

/**
 * A body the endpoint accepts: its required fields only, each `null` where the model takes a
 * missing value, otherwise a value of the field's type (a boolean in the file's own spelling).
 */
function exampleFor(schema: InstanceSchema): Record<string, unknown> {
  return Object.fromEntries(
    (schema.required ?? []).map((name) => {
      const p = schema.properties?.[name] ?? {};
      const types = p.anyOf ? p.anyOf.map((o) => o.type ?? "enum") : Array.isArray(p.type) ? p.type : [p.type];
      if (types.includes("null")) return [name, null];
      const t = types[0];
      return [name, t === "number" ? 0 : t === "boolean" ? false : ""];
    }),
  );
}

/** One shell word, whatever the body holds (a value like O'Brien included). */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Shows how to call an endpoint and calls it in one click. */
export function EndpointTry({ slug, url }: { slug: string; url: string }) {
  const [body, setBody] = useState<string>("");
  const [response, setResponse] = useState<{ status: number; text: string } | null>(null);
  useEffect(() => {
    fetch(`/api/v1/endpoints/${slug}/openapi.json`)
      .then((r) => r.json())
      .then((doc: { components?: { schemas?: { Instance?: InstanceSchema } } }) =>
        setBody(JSON.stringify(exampleFor(doc.components?.schemas?.Instance ?? {}), null, 0)),
      )
      .catch(() => setBody("{}"));
  }, [slug]);

  const send = async () => {
    const res = await fetch(`/api/v1/endpoints/${slug}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body });
    setResponse({ status: res.status, text: await res.text() });
  };

  return (
    <div className="rounded border border-slate-200 bg-white p-3" data-testid={`endpoint-${slug}`}>
      <div className="mb-2 flex items-center justify-between">
        <span className="font-mono text-sm">POST /api/v1/endpoints/{slug}/predict</span>
        <a className="text-xs text-sky-700 hover:underline" href={`/api/v1/endpoints/${slug}/openapi.json`}>
          OpenAPI
        </a>
      </div>
      <pre className="mb-2 whitespace-pre-wrap break-all rounded bg-slate-900 p-2 text-[11px] text-slate-100">
        {`curl -s -X POST ${url} \\\n  -H 'content-type: application/json' \\\n  -d ${shellQuote(body)}`}
      </pre>
      <textarea
        aria-label="Request body"
        className="mb-2 h-16 w-full rounded border border-slate-300 p-1 font-mono text-xs"
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      <button type="button" onClick={send} className="rounded bg-indigo-600 px-3 py-1 text-sm text-white hover:bg-indigo-700">
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
