"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { ErrorText, inputClass, Section, when } from "./ui";

const kinds = ["", "auth.", "session.", "token.", "member.", "invitation.", "secret.", "deploy", "workspace.", "user."];

/** The workspace's audit log, filterable by kind of event, actor and time. */
export function AuditLog() {
  const trpc = useTRPC();
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [since, setSince] = useState("");
  const log = useQuery(
    trpc.workspace.audit.queryOptions({ action: action || undefined, actor: actor || undefined, since: since ? new Date(since) : undefined }),
  );
  return (
    <Section title="Audit log">
      <div className="mb-3 flex items-center gap-3 text-xs">
        <label className="flex items-center gap-1">
          Events
          <select aria-label="Event kind" className={inputClass} value={action} onChange={(e) => setAction(e.target.value)}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k ? k.replace(/\.$/, "") : "all"}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          Actor
          <input aria-label="Actor" className={inputClass} placeholder="email contains…" value={actor} onChange={(e) => setActor(e.target.value)} />
        </label>
        <label className="flex items-center gap-1">
          Since
          <input aria-label="Since" type="date" className={inputClass} value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
      </div>
      <ErrorText error={log.error} />
      {log.data?.length === 200 && <p className="mb-2 text-xs text-amber-700">Showing the latest 200 events; narrow the filters to see older ones.</p>}
      <table className={tableClass}>
        <thead>
          <tr>
            <th>When</th>
            <th>Event</th>
            <th>Actor</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {(log.data ?? []).map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td className="whitespace-nowrap">{when(e.createdAt)}</td>
              <td className="font-mono text-xs">{e.action}</td>
              <td className="text-xs">{e.actor ?? (e.actorTokenId ? `token ${e.actorTokenId.slice(0, 8)}` : "Millrace")}</td>
              <td className="max-w-48 break-all font-mono text-xs">{e.target}</td>
              <td className="max-w-80 break-all font-mono text-[11px] text-slate-500">
                {e.details ? JSON.stringify(e.details) : ""}
                {e.ip ? ` ip ${e.ip}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
