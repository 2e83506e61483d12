"use client";

import { useEffect, useState } from "react";
import { setActiveWorkspace } from "./workspace-cookie";

/** A second try within this long means the cookie did not stick: say so rather than reload forever. */
const RETRY_MS = 10_000;

/** Makes the page's workspace the active one and loads the page again (see isActiveWorkspace), once. */
export function FollowWorkspace({ workspaceId }: { workspaceId: string }) {
  const key = `millrace-followed-${workspaceId}`;
  const [stuck] = useState(() => typeof window !== "undefined" && Date.now() - Number(sessionStorage.getItem(key) ?? 0) < RETRY_MS);
  useEffect(() => {
    if (stuck) return;
    sessionStorage.setItem(key, String(Date.now()));
    setActiveWorkspace(workspaceId);
    window.location.reload();
  }, [key, stuck, workspaceId]);
  return (
    <p className="p-6 text-sm text-slate-500" suppressHydrationWarning>
      {stuck ? "This page belongs to another workspace, and switching to it needs cookies; allow cookies for this site and reload." : "Switching to this page’s workspace…"}
    </p>
  );
}
