/**
 * The browser's side of sign-in: Better Auth's own routes under /api/auth (JSON, same origin,
 * HTTP-only cookies set by the server). Everything else the UI does goes through tRPC.
 */

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`/api/auth${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    if (res.status === 429) throw new Error("Too many sign-in attempts from here. Wait a minute and try again.");
    if (res.status === 401 && path === "/sign-in/email") throw new Error("Wrong email or password.");
    throw new Error(String(data.message ?? data.error ?? `sign-in failed (${res.status})`));
  }
  return data;
}

export const signInWithPassword = (email: string, password: string) => post("/sign-in/email", { email, password, rememberMe: true });

/** Starts OpenID Connect sign-in: the server answers with the provider's URL to go to. */
export async function signInWithOidc(next: string) {
  const { url } = await post("/sign-in/social", { provider: "oidc", callbackURL: next, errorCallbackURL: "/sign-in?error=oidc" });
  if (typeof url === "string") window.location.href = url;
}

export const signOut = () => post("/sign-out", {});

/** Changes the signed-in user's password; every other session of theirs ends. */
export const changePassword = (currentPassword: string, newPassword: string) => post("/change-password", { currentPassword, newPassword, revokeOtherSessions: true });
