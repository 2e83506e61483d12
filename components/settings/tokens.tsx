"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { buttonClass, ErrorText, inputClass, linkButtonClass, Section, ShownOnce, when } from "./ui";

const scopes = ["read", "run", "deploy", "admin"] as const;
type Scope = (typeof scopes)[number];
const scopeHelp: Record<Scope, string> = {
  read: "read pipelines, datasets, runs, endpoints",
  run: "upload datasets, change pipelines, start and cancel runs",
  deploy: "start runs, also of pipelines that deploy models",
  admin: "members, tokens, secrets, audit log",
};

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/**
 * API tokens, personal (act as you, within your roles) or the workspace's (act in this
 * workspace only, as its owner would, within their scopes). The token is shown once.
 */
export function Tokens({ kind }: { kind: "personal" | "workspace" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(kind === "personal" ? trpc.token.mine.queryOptions() : trpc.workspace.workspaceTokens.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: (kind === "personal" ? trpc.token : trpc.workspace).pathKey() });
  const create = useMutation((kind === "personal" ? trpc.token.create : trpc.workspace.createWorkspaceToken).mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation((kind === "personal" ? trpc.token.revoke : trpc.workspace.revokeWorkspaceToken).mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Set<Scope>>(new Set(["read"]));
  const [expires, setExpires] = useState("90");
  const [shown, setShown] = useState<string | null>(null);

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    const created = await create
      .mutateAsync({ name, scopes: [...chosen], expiresInDays: expires ? Number(expires) : undefined })
      .catch(() => null);
    if (created) {
      setShown(created.token);
      setName("");
    }
  };

  return (
    <Section title={kind === "personal" ? "Personal API tokens" : "Workspace API tokens"}>
      <p className="mb-3 text-xs text-slate-500">
        Send a token as <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>.{" "}
        {kind === "personal" ? "It acts as you, never beyond your role in a workspace." : "It acts in this workspace only, whoever created it."} Only its
        hash is stored.
      </p>
      {shown && <ShownOnce label="Copy the token now: it is not shown again." value={shown} onDone={() => setShown(null)} />}
      <form onSubmit={onCreate} className="mb-3 flex flex-wrap items-center gap-3">
        <input aria-label="Token name" required maxLength={100} placeholder="name, e.g. ci-deploy" className={`${inputClass} w-56`} value={name} onChange={(e) => setName(e.target.value)} />
        {scopes.map((s) => (
          <label key={s} className="flex items-center gap-1 text-xs" title={scopeHelp[s]}>
            <input
              type="checkbox"
              checked={chosen.has(s)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(s);
                else next.delete(s);
                setChosen(next);
              }}
            />
            {s}
          </label>
        ))}
        <select aria-label="Expires" className={inputClass} value={expires} onChange={(e) => setExpires(e.target.value)}>
          <option value="30">30 days</option>
          <option value="90">90 days</option>
          <option value="365">1 year</option>
          <option value="">never</option>
        </select>
        <button type="submit" className={buttonClass} disabled={create.isPending || chosen.size === 0}>
          Create token
        </button>
      </form>
      <ul className="mb-3 grid grid-cols-2 gap-x-6 text-[11px] text-slate-500">
        {scopes.map((s) => (
          <li key={s}>
            <span className="font-mono text-slate-700">{s}</span>: {scopeHelp[s]}
          </li>
        ))}
      </ul>
      <ErrorText error={create.error ?? revoke.error ?? list.error} />
      <table className={tableClass}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Token</th>
            <th>Scopes</th>
            <th>Last used</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {((list.data ?? []) as TokenRow[]).map((t) => (
            <tr key={t.id} data-testid={`token-${t.name}`} className={t.revokedAt ? "text-slate-400" : ""}>
              <td>{t.name}</td>
              <td className="font-mono text-xs">{t.prefix}…</td>
              <td>{t.scopes.join(", ")}</td>
              <td>{when(t.lastUsedAt)}</td>
              <td>{t.expiresAt ? when(t.expiresAt) : "never"}</td>
              <td>
                {t.revokedAt ? (
                  `revoked ${when(t.revokedAt)}`
                ) : (
                  <button type="button" className={linkButtonClass} onClick={() => revoke.mutate({ id: t.id })}>
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
