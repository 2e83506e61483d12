"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { ErrorText, linkButtonClass, Section, when } from "./ui";

/** Where you are signed in; each session can be ended here. */
export function Sessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.account.sessions.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
  const revoke = useMutation(trpc.account.revokeSession.mutationOptions({ onSuccess: refresh }));
  const revokeOthers = useMutation(trpc.account.revokeOtherSessions.mutationOptions({ onSuccess: refresh }));
  return (
    <Section
      title="Sessions"
      actions={
        <button type="button" className={linkButtonClass} onClick={() => revokeOthers.mutate()}>
          Sign out everywhere else
        </button>
      }
    >
      <ErrorText error={list.error ?? revoke.error ?? revokeOthers.error} />
      <table className={tableClass}>
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Expires</th>
            <th>From</th>
            <th>Browser</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((s) => (
            <tr key={s.id}>
              <td>{when(s.createdAt)}</td>
              <td>{when(s.expiresAt)}</td>
              <td className="font-mono text-xs">{s.ipAddress}</td>
              <td className="max-w-64 truncate text-xs" title={s.userAgent ?? ""}>
                {s.userAgent}
              </td>
              <td>
                {s.current ? (
                  <span className="text-xs text-emerald-700">this browser</span>
                ) : (
                  <button type="button" className={linkButtonClass} onClick={() => revoke.mutate({ id: s.id })}>
                    End
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
