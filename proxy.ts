/**
 * Next's request hook: every request passes `server/http/guard.ts` (allowed hosts, same-origin
 * state changes, 405 with Allow) and every response gets the security headers, pages a CSP with a
 * fresh script nonce (Next applies it to its own scripts).
 */
import { NextResponse, type NextRequest } from "next/server";
import { env } from "~/lib/env";
import { checkRequest, securityHeaders, type GuardConfig } from "~/server/http/guard";

const guardConfig = (): GuardConfig => ({ allowedHosts: env().allowedHosts, dev: env().NODE_ENV === "development" });

export function proxy(req: NextRequest) {
  const guard = guardConfig();
  const nonce = btoa(crypto.randomUUID());
  const headers = securityHeaders(nonce, guard);
  const verdict = checkRequest(req, guard);
  if (!verdict.ok) {
    return NextResponse.json({ error: verdict.error }, { status: verdict.status, headers: { ...headers, ...verdict.headers } });
  }
  const forwarded = new Headers(req.headers);
  forwarded.set("x-nonce", nonce);
  forwarded.set("content-security-policy", headers["content-security-policy"]!);
  const res = NextResponse.next({ request: { headers: forwarded } });
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

export const config = {
  // Static build assets need neither checks nor headers beyond Next's own.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
