"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { tableClass } from "../ui/page";
import { useTRPC } from "../trpc";
import { buttonClass, ErrorText, inputClass, linkButtonClass, Section, ShownOnce, when } from "./ui";

const roles = ["viewer", "editor", "owner"] as const;
type Role = (typeof roles)[number];

/** Members and their roles; owners also invite (the link is shown: Millrace sends no mail) and change roles. */
export function Members({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.workspace.members.queryOptions());
  const invitations = useQuery({ ...trpc.workspace.invitations.queryOptions(), enabled: canManage });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.pathKey() });
  const setRole = useMutation(trpc.workspace.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.workspace.removeMember.mutationOptions({ onSuccess: refresh }));
  const invite = useMutation(trpc.workspace.invite.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.workspace.revokeInvitation.mutationOptions({ onSuccess: refresh }));
  const [email, setEmail] = useState("");
  const [role, setInviteRole] = useState<Role>("editor");
  const [link, setLink] = useState<string | null>(null);

  const onInvite = async (e: FormEvent) => {
    e.preventDefault();
    const inv = await invite.mutateAsync({ email, role }).catch(() => null);
    if (inv) {
      setLink(inv.link);
      setEmail("");
    }
  };

  return (
    <>
      <Section title="Members">
        <table className={tableClass}>
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Since</th>
              {canManage && <th />}
            </tr>
          </thead>
          <tbody>
            {(members.data ?? []).map((m) => (
              <tr key={m.userId} data-testid={`member-${m.email}`}>
                <td className="font-mono text-xs">{m.email}</td>
                <td>{m.name}</td>
                <td>
                  {canManage ? (
                    <select
                      aria-label={`Role of ${m.email}`}
                      className={inputClass}
                      value={m.role}
                      onChange={(e) => setRole.mutate({ userId: m.userId, role: e.target.value as Role })}
                    >
                      {roles.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ) : (
                    m.role
                  )}
                </td>
                <td>{when(m.since)}</td>
                {canManage && (
                  <td>
                    <button type="button" className={linkButtonClass} onClick={() => remove.mutate({ userId: m.userId })}>
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        <ErrorText error={members.error ?? setRole.error ?? remove.error} />
      </Section>
      {canManage && (
        <Section title="Invite">
          {link && <ShownOnce label="Send this link to the person you invited (it works once, for 7 days):" value={link} onDone={() => setLink(null)} />}
          <form onSubmit={onInvite} className="flex items-center gap-2">
            <input aria-label="Email to invite" type="email" required placeholder="name@example.com" className={`${inputClass} w-72`} value={email} onChange={(e) => setEmail(e.target.value)} />
            <select aria-label="Role to invite as" className={inputClass} value={role} onChange={(e) => setInviteRole(e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
            <button type="submit" className={buttonClass} disabled={invite.isPending}>
              Create invitation link
            </button>
          </form>
          <ErrorText error={invite.error} />
          {(invitations.data ?? []).length > 0 && (
            <table className={`${tableClass} mt-3`}>
              <thead>
                <tr>
                  <th>Invited</th>
                  <th>Role</th>
                  <th>Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {invitations.data!.map((i) => (
                  <tr key={i.id}>
                    <td className="font-mono text-xs">{i.email}</td>
                    <td>{i.role}</td>
                    <td>{when(i.expiresAt)}</td>
                    <td>
                      <button type="button" className={linkButtonClass} onClick={() => revoke.mutate({ id: i.id })}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
    </>
  );
}
