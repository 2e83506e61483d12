"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { enterWorkspace } from "../auth/workspace-cookie";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { buttonClass, ErrorText, inputClass, Section } from "./ui";

/** Your workspaces and your role in each; a new one makes you its owner. */
export function Workspaces() {
  const trpc = useTRPC();
  const mine = useQuery(trpc.workspace.mine.queryOptions());
  const create = useMutation(trpc.workspace.create.mutationOptions());
  const [name, setName] = useState("");

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    const ws = await create.mutateAsync({ name }).catch(() => null);
    if (ws) enterWorkspace(ws.id);
  };

  return (
    <Section title="Workspaces">
      <table className={`${tableClass} mb-3`}>
        <thead>
          <tr>
            <th>Workspace</th>
            <th>Your role</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(mine.data?.workspaces ?? []).map((w) => (
            <tr key={w.id}>
              <td>{w.name}</td>
              <td>{w.role}</td>
              <td className="text-xs">
                {w.id === mine.data?.active ? (
                  <span className="text-emerald-700">active</span>
                ) : (
                  <button type="button" className="text-sky-700 hover:underline" onClick={() => enterWorkspace(w.id)}>
                    Switch
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={onCreate} className="flex items-center gap-2">
        <input aria-label="New workspace name" required maxLength={100} placeholder="new workspace name" className={`${inputClass} w-64`} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className={buttonClass} disabled={create.isPending}>
          Create workspace
        </button>
      </form>
      <ErrorText error={create.error ?? mine.error} />
    </Section>
  );
}
