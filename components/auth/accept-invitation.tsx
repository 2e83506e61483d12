"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../trpc";
import { signInWithPassword } from "./auth-api";
import { enterWorkspace } from "./workspace-cookie";

const inputClass = "w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-sky-500 focus:outline-none";

/** The invitation link's page: join as the signed-in user, or choose a name and password for a new account. */
export function AcceptInvitation({ token, signedInAs }: { token: string; signedInAs: string | null }) {
  const trpc = useTRPC();
  const invitation = useQuery(trpc.invitation.describe.queryOptions({ token }));
  const accept = useMutation(trpc.invitation.accept.mutationOptions());
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);

  if (invitation.isPending) return <Card>Checking the invitation…</Card>;
  if (invitation.isError)
    return (
      <Card title="Invitation not valid">
        <p className="text-sm text-slate-600">It was used already, revoked, or has expired. If you accepted it, sign in; otherwise ask the owner who invited you for a new link.</p>
        <Link href="/sign-in" className="mt-4 block w-full rounded bg-sky-600 py-2 text-center text-sm font-medium text-white hover:bg-sky-700">
          Sign in
        </Link>
      </Card>
    );
  const inv = invitation.data;

  const join = async () => {
    setError(null);
    try {
      enterWorkspace((await accept.mutateAsync({ token })).workspaceId);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const signUp = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const { workspaceId, email } = await accept.mutateAsync({ token, name, password });
      await signInWithPassword(email, password);
      enterWorkspace(workspaceId);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <Card title={`Join ${inv.workspace}`}>
      <p className="mb-4 text-sm text-slate-600">
        <span className="font-mono">{inv.email}</span> is invited as <strong>{inv.role}</strong>.
      </p>
      {signedInAs ? (
        <button type="button" onClick={join} disabled={accept.isPending} className="w-full rounded bg-sky-600 py-2 text-sm font-medium text-white hover:bg-sky-700">
          Join as {signedInAs}
        </button>
      ) : inv.hasAccount ? (
        <Link href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`} className="block w-full rounded bg-sky-600 py-2 text-center text-sm font-medium text-white hover:bg-sky-700">
          Sign in to accept
        </Link>
      ) : (
        <form onSubmit={signUp} className="space-y-3">
          <label className="block text-xs font-medium text-slate-700">
            Your name
            <input className={inputClass} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="block text-xs font-medium text-slate-700">
            Choose a password (at least 10 characters)
            <input className={inputClass} type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <button type="submit" disabled={accept.isPending} className="w-full rounded bg-sky-600 py-2 text-sm font-medium text-white hover:bg-sky-700">
            Create account and join
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="mt-3 rounded bg-red-50 px-2 py-1 text-xs text-red-700">
          {error}
        </p>
      )}
    </Card>
  );
}

function Card({ title, children }: { title?: string; children: React.ReactNode }) {
  return (
    <div className="mx-auto mt-16 w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      {title && <h1 className="mb-2 text-lg font-semibold">{title}</h1>}
      {children}
    </div>
  );
}
