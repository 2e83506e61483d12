"use client";

import { useState, type FormEvent } from "react";
import { safeNext } from "~/lib/urls";
import { signInWithOidc, signInWithPassword } from "./auth-api";

const inputClass = "w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-sky-500 focus:outline-none";

export function SignInForm({ next, oidcName, error, firstStartHint }: { next: string; oidcName: string | null; error: string | null; firstStartHint: string | null }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(error);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await signInWithPassword(email, password);
      // A full load: the header and every server-rendered page see the new session.
      window.location.assign(safeNext(next));
    } catch (err) {
      setMessage((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <div className="mx-auto mt-16 w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="mb-1 text-lg font-semibold">Sign in to Millrace</h1>
      {firstStartHint ? (
        <p className="mb-4 text-xs text-slate-500">
          New install: sign in as the administrator that <span className="font-mono">npm start</span> printed, with the password in{" "}
          <span className="font-mono">{firstStartHint}</span>.
        </p>
      ) : (
        <div className="mb-4" />
      )}
      <form onSubmit={onSubmit} className="space-y-3">
        <label className="block text-xs font-medium text-slate-700">
          Email
          <input className={inputClass} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="block text-xs font-medium text-slate-700">
          Password
          <input className={inputClass} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {message && (
          <p role="alert" className="rounded bg-red-50 px-2 py-1 text-xs text-red-700">
            {message}
          </p>
        )}
        <button type="submit" disabled={busy} className="w-full rounded bg-sky-600 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidcName && (
        <button
          type="button"
          onClick={() => signInWithOidc(safeNext(next)).catch((err: Error) => setMessage(err.message))}
          className="mt-3 w-full rounded border border-slate-300 py-2 text-sm hover:bg-slate-50"
        >
          Sign in with {oidcName}
        </button>
      )}
    </div>
  );
}
