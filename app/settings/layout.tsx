import Link from "next/link";
import type { ReactNode } from "react";
import { currentViewer } from "~/server/auth/pages";

const tabs = [
  ["/settings", "Members", false],
  ["/settings/tokens", "Workspace tokens", true],
  ["/settings/keys", "Serving keys", false],
  ["/settings/secrets", "Secrets", false],
  ["/settings/audit", "Audit log", true],
  ["/account", "Your account", false],
] as const;

/** The active workspace's settings; each page authorises itself (server/auth/pages.ts). Owners' tabs show for owners. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const viewer = await currentViewer();
  const owner = viewer?.workspaces.find((w) => w.id === viewer.active)?.role === "owner";
  return (
    <div className="mx-auto h-full max-w-5xl overflow-y-auto p-6">
      <h1 className="mb-4 text-xl font-semibold">Settings</h1>
      <nav className="mb-6 flex gap-4 border-b border-slate-200 text-sm">
        {tabs
          .filter(([, , ownersOnly]) => owner || !ownersOnly)
          .map(([href, label]) => (
          <Link key={href} href={href} className="-mb-px border-b-2 border-transparent px-1 pb-2 text-slate-600 hover:border-slate-300 hover:text-slate-900">
            {label}
          </Link>
          ))}
      </nav>
      {children}
    </div>
  );
}
