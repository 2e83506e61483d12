"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { buttonClass, ErrorText, inputClass, linkButtonClass, Section, when } from "./ui";

/** The workspace's secrets, by name: values go in, encrypted, and never come back out. */
export function Secrets({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.workspace.secrets.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.secrets.queryKey() });
  const set = useMutation(trpc.workspace.setSecret.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.workspace.deleteSecret.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [saved, setSaved] = useState<string | null>(null);

  const onSet = async (e: FormEvent) => {
    e.preventDefault();
    const result = await set.mutateAsync({ name, value }).catch(() => null);
    if (result) {
      setSaved(result.created ? `Secret ${result.name} saved.` : `Secret ${result.name} replaced: nodes using it get the new value from their next run.`);
      setName("");
      setValue("");
    }
  };

  return (
    <Section title="Secrets">
      <p className="mb-3 text-xs text-slate-500">
        Connection strings and other credentials nodes use, by name. Stored encrypted; never returned by the API, and replaced by{" "}
        <code className="font-mono">[secret]</code> wherever a run would show them.
      </p>
      {canManage && (
        <form onSubmit={onSet} className="mb-3 flex items-center gap-2">
          <input aria-label="Secret name" required placeholder="NAME" pattern="[A-Za-z_][A-Za-z0-9_.\-]{0,63}" className={`${inputClass} w-56 font-mono`} value={name} onChange={(e) => setName(e.target.value)} />
          <input aria-label="Secret value" required type="password" autoComplete="off" placeholder="value" className={`${inputClass} w-80`} value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" className={buttonClass} disabled={set.isPending}>
            Save secret
          </button>
        </form>
      )}
      {saved && (
        <p role="status" className="mb-2 text-xs text-emerald-700">
          {saved}
        </p>
      )}
      <ErrorText error={set.error ?? remove.error ?? list.error} />
      <table className={tableClass}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Updated</th>
            {canManage && <th />}
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((s) => (
            <tr key={s.name} data-testid={`secret-${s.name}`}>
              <td className="font-mono text-xs">{s.name}</td>
              <td>{when(s.updatedAt)}</td>
              {canManage && (
                <td>
                  <button type="button" className={linkButtonClass} onClick={() => remove.mutate({ name: s.name })}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
