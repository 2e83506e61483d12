import Link from "next/link";
import type { ReactNode } from "react";

const tabs = [
  ["/settings", "Members"],
  ["/settings/tokens", "Workspace tokens"],
  ["/settings/secrets", "Secrets"],
  ["/settings/audit", "Audit log"],
  ["/account", "Your account"],
] as const;

/** The active workspace's settings; each page authorises itself (server/auth/pages.ts). */
export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="mx-auto h-full max-w-5xl overflow-y-auto p-6">
      <nav className="mb-6 flex gap-4 border-b border-slate-200 text-sm">
        {tabs.map(([href, label]) => (
          <Link key={href} href={href} className="-mb-px border-b-2 border-transparent px-1 pb-2 text-slate-600 hover:border-slate-300 hover:text-slate-900">
            {label}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}
