"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc";

const when = (d: Date | string | null) => (d ? new Date(d).toLocaleDateString() : "never");

/**
 * Share a run with someone without an account: a link to a read-only report that leaves out
 * configurations, data sources, errors and endpoints. Links expire (30 days by default) and can
 * be revoked; the token is shown once, when the link is made.
 */
export function ShareLinks({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [days, setDays] = useState<string>("30");
  const [made, setMade] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const links = useQuery({ ...trpc.share.list.queryOptions({ runId }), enabled: open });
  const create = useMutation(trpc.share.create.mutationOptions({ onSuccess: (r) => (setMade(r.url), setCopied(false), void links.refetch()) }));
  const revoke = useMutation(trpc.share.revoke.mutationOptions({ onSuccess: () => void links.refetch() }));

  /** The clipboard API needs a secure context (https or localhost); elsewhere the link stays selected to copy by hand. */
  const copy = async (input: HTMLInputElement | null, text: string) => {
    input?.select();
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <div className="relative">
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
        Share…
      </button>
      {open && (
        <div role="dialog" aria-label="Share this run" className="absolute right-0 z-20 mt-1 w-[28rem] space-y-3 rounded border border-slate-200 bg-white p-3 text-sm shadow-lg">
          <p className="text-xs text-slate-600">
            A share link opens a read-only report of this run for anyone who has it, without signing in: the pipeline&apos;s shape, each node&apos;s status and timing, metrics
            and charts (feature importances name columns). It leaves out node settings, data sources, errors and endpoints. Members of the workspace can also send this
            page&apos;s own address.
          </p>
          <div className="flex items-center gap-2">
            <label className="flex items-center gap-1 text-xs">
              Expires after
              <select aria-label="Link expires after" className="rounded border border-slate-300 px-1 py-0.5" value={days} onChange={(e) => setDays(e.target.value)}>
                <option value="1">1 day</option>
                <option value="7">7 days</option>
                <option value="30">30 days</option>
                <option value="365">1 year</option>
                <option value="never">never</option>
              </select>
            </label>
            <button
              type="button"
              className="rounded bg-sky-600 px-3 py-1 text-white hover:bg-sky-700 disabled:opacity-60"
              disabled={create.isPending}
              onClick={() => create.mutate({ runId, expiresInDays: days === "never" ? null : Number(days) })}
            >
              Create link
            </button>
          </div>
          {create.error && (
            <p role="alert" className="text-xs text-red-700">
              {create.error.message}
            </p>
          )}
          {made && (
            <div className="space-y-1">
              <div className="flex gap-1">
                <input
                  readOnly
                  aria-label="Share link"
                  data-testid="share-url"
                  value={made}
                  className="min-w-0 flex-1 rounded border border-slate-300 px-2 py-1 font-mono text-xs"
                  onFocus={(e) => e.target.select()}
                  ref={(el) => el?.select()}
                />
                <button type="button" className="rounded border border-slate-300 px-2 text-xs" onClick={(e) => void copy(e.currentTarget.previousElementSibling as HTMLInputElement, made)}>
                  Copy
                </button>
              </div>
              <p className="text-[11px] text-slate-500">{copied ? "Copied." : "Shown once: copy it now (selected; Ctrl+C copies it where the clipboard is not available)."}</p>
            </div>
          )}
          {(links.data ?? []).length > 0 && (
            <table className="w-full text-xs" data-testid="share-links">
              <thead className="text-left text-slate-500">
                <tr>
                  <th>Link</th>
                  <th>Made</th>
                  <th>Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {links.data!.map((l) => (
                  <tr key={l.id} className="border-t border-slate-100">
                    <td className="font-mono">{l.prefix}…</td>
                    <td>{when(l.createdAt)}</td>
                    <td>{l.revokedAt ? "revoked" : l.active ? when(l.expiresAt) : "expired"}</td>
                    <td className="text-right">
                      {l.active && (
                        <button type="button" className="text-red-600 hover:underline" onClick={() => window.confirm("Revoke this link? Anyone using it loses access at once.") && revoke.mutate({ runId, id: l.id })}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}
