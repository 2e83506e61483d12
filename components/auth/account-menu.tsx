"use client";

import Link from "next/link";
import { useState } from "react";
import { signOut } from "./auth-api";
import { enterWorkspace } from "./workspace-cookie";

export interface MenuViewer {
  email: string;
  isAdmin: boolean;
  workspaces: { id: string; name: string; role: string }[];
  active: string | null;
}

/** The header's right side: the active workspace (switchable), settings, the account and sign-out. */
export function AccountMenu({ viewer }: { viewer: MenuViewer }) {
  const [busy, setBusy] = useState(false);
  const active = viewer.workspaces.find((w) => w.id === viewer.active);

  return (
    <div className="flex items-center gap-3 text-xs text-slate-600">
      {viewer.workspaces.length > 0 && (
        <label className="flex items-center gap-1">
          <span className="text-slate-400">Workspace</span>
          <select
            aria-label="Workspace"
            value={viewer.active ?? ""}
            onChange={(e) => enterWorkspace(e.target.value)}
            className="rounded border border-slate-200 bg-white px-1 py-0.5 text-xs"
          >
            {viewer.workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {active && (
        <span className="text-slate-400">
          role <span data-testid="role" className="text-slate-600">{active.role}</span>
        </span>
      )}
      <Link href="/settings" className="hover:text-slate-900">
        Settings
      </Link>
      <Link href="/account" className="hover:text-slate-900" data-testid="account-email">
        {viewer.email}
      </Link>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await signOut();
          } catch (e) {
            // Still signed in on the server: say so instead of pretending.
            window.alert(`Sign-out failed: ${(e as Error).message}`);
            setBusy(false);
            return;
          }
          // A full load on purpose: no page or cached query of the signed-out user survives.
          // eslint-disable-next-line @next/next/no-location-assign-relative-destination
          window.location.assign("/sign-in");
        }}
        className="rounded border border-slate-200 px-2 py-0.5 hover:bg-slate-50"
      >
        Sign out
      </button>
    </div>
  );
}
