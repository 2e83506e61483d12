"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { buttonClass, ErrorText, inputClass, linkButtonClass, Section, ShownOnce, when } from "./ui";

/**
 * Keys for calling this workspace's private endpoints (`Authorization: Bearer mrk_…`): for
 * every endpoint or some, with an optional rate limit. Shown once; revoked at once everywhere.
 */
export function ServingKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.endpoint.keys.queryOptions());
  const endpoints = useQuery(trpc.endpoint.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.endpoint.pathKey() });
  const create = useMutation(trpc.endpoint.createKey.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.endpoint.revokeKey.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [only, setOnly] = useState<string[]>([]);
  const [limit, setLimit] = useState("");
  const [shown, setShown] = useState<string | null>(null);

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    const created = await create.mutateAsync({ name, endpoints: only.length ? only : null, rateLimit: limit ? Number(limit) : null }).catch(() => null);
    if (created) {
      setShown(created.key);
      setName("");
      setOnly([]);
      setLimit("");
    }
  };

  return (
    <Section title="Serving keys">
      <p className="mb-3 text-xs text-slate-500">
        Callers of a private endpoint send <code className="font-mono">Authorization: Bearer &lt;key&gt;</code>. A key works for every endpoint of this workspace, or only those you pick; beyond its rate limit callers get 429 with Retry-After. Only its first characters are kept in the clear.
      </p>
      {shown && <ShownOnce label="Your new serving key — copy it now, it will not be shown again:" value={shown} onDone={() => setShown(null)} />}
      <form onSubmit={onCreate} className="mb-4 flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1">
          Name
          <input aria-label="Key name" required className={inputClass} value={name} onChange={(e) => setName(e.target.value)} placeholder="checkout service" />
        </label>
        <label className="flex flex-col gap-1">
          Endpoints (none picked: all; Ctrl-click for several)
          <select aria-label="Endpoints the key may call" multiple className={`${inputClass} h-16`} value={only} onChange={(e) => setOnly([...e.target.selectedOptions].map((o) => o.value))}>
            {(endpoints.data ?? []).map((e) => (
              <option key={e.slug} value={e.slug}>
                {e.slug}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Requests per minute (optional)
          <input aria-label="Rate limit" type="number" min={1} className={`${inputClass} w-32`} value={limit} onChange={(e) => setLimit(e.target.value)} />
        </label>
        <button type="submit" className={buttonClass} disabled={create.isPending}>
          Create key
        </button>
      </form>
      <ErrorText error={create.error ?? revoke.error} />
      <table className={tableClass}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Key</th>
            <th>Endpoints</th>
            <th>Limit</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(keys.data ?? []).map((k) => (
            <tr key={k.id} className={k.revokedAt ? "text-slate-400" : ""}>
              <td>{k.name}</td>
              <td className="font-mono text-xs">{k.prefix}…</td>
              <td>{k.endpoints?.join(", ") ?? "all"}</td>
              <td>{k.rateLimit ? `${k.rateLimit}/min` : "–"}</td>
              <td>{when(k.createdAt)}</td>
              <td>{when(k.lastUsedAt)}</td>
              <td>
                {k.revokedAt ? (
                  `revoked ${when(k.revokedAt)}`
                ) : (
                  <button type="button" className={linkButtonClass} onClick={() => window.confirm(`Revoke key '${k.name}'? Callers using it get 401 at once.`) && revoke.mutate({ id: k.id })}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
