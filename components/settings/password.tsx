"use client";

import { useState, type FormEvent } from "react";
import { changePassword } from "../auth/auth-api";
import { buttonClass, inputClass, Section } from "./ui";

/** Change your password (your other sessions end). A forgotten one is reset by an administrator: `npm run admin -- reset-password <email>`. */
export function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await changePassword(current, next);
      setMessage({ ok: true, text: "Password changed; your other sessions have ended." });
      setCurrent("");
      setNext("");
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Password">
      <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-2">
        <input aria-label="Current password" type="password" autoComplete="current-password" required placeholder="current password" className={`${inputClass} w-56`} value={current} onChange={(e) => setCurrent(e.target.value)} />
        <input aria-label="New password" type="password" autoComplete="new-password" required minLength={10} placeholder="new password (10+ characters)" className={`${inputClass} w-64`} value={next} onChange={(e) => setNext(e.target.value)} />
        <button type="submit" className={buttonClass} disabled={busy}>
          Change password
        </button>
      </form>
      {message && (
        <p role="status" className={`mt-2 text-xs ${message.ok ? "text-emerald-700" : "text-red-700"}`}>
          {message.text}
        </p>
      )}
    </Section>
  );
}
