/**
 * What every request passes before a route sees it (run by the root `proxy.ts`): the Host must
 * be one of ours (no DNS rebinding), state-changing calls must come from our own pages or from
 * outside a browser (no cross-site requests), methods a route does not have are a 405, and every
 * response carries the security headers.
 */
import { allowedMethods } from "./routes";

export interface GuardConfig {
  /** Host names (without port) the app answers to. */
  allowedHosts: string[];
  dev: boolean;
}

export type Verdict = { ok: true } | { ok: false; status: number; error: string; headers?: Record<string, string> };

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Content types a browser may send cross-site without asking first (a plain HTML form). */
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

const hostnameOf = (host: string) => {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return "";
  }
};

export function hostAllowed(host: string | null, config: GuardConfig) {
  const name = hostnameOf(host ?? "");
  return config.allowedHosts.some((h) => h === "*" || h.toLowerCase() === name);
}

const methodsOf = (pathname: string) => (pathname.startsWith("/api/") ? allowedMethods(pathname) : ["GET", "HEAD", "OPTIONS"]);

/** The 405 (or, for an unknown API path, 404) for a method a path does not have. */
function methodNotAllowed(method: string, pathname: string): { ok: false; status: number; error: string; headers?: Record<string, string> } {
  const allowed = methodsOf(pathname);
  if (!allowed) return { ok: false, status: 404, error: `no route ${pathname}` };
  return { ok: false, status: 405, error: `method ${method} is not allowed on ${pathname}; use ${allowed.join(", ")}`, headers: { allow: allowed.join(", ") } };
}

export function checkRequest(req: { method: string; url: string; headers: Headers }, config: GuardConfig): Verdict {
  const url = new URL(req.url);
  const host = req.headers.get("host");
  if (!hostAllowed(host, config)) {
    return { ok: false, status: 403, error: `host '${host ?? ""}' is not served here; add it to ALLOWED_HOSTS to allow it` };
  }
  const allowed = methodsOf(url.pathname);
  if (!allowed || !allowed.includes(req.method)) return methodNotAllowed(req.method, url.pathname);
  if (STATE_CHANGING.has(req.method)) {
    // Browsers say where a request comes from; scripts and curl send neither header.
    const site = req.headers.get("sec-fetch-site");
    if (site && site !== "same-origin" && site !== "none") return { ok: false, status: 403, error: `cross-site request refused (${site})` };
    const origin = req.headers.get("origin");
    if (origin && origin !== "null" && hostnameOf(new URL(origin).host) !== hostnameOf(host ?? "")) {
      return { ok: false, status: 403, error: `cross-origin request from ${origin} refused` };
    }
    if (origin === "null") return { ok: false, status: 403, error: "request from an opaque origin refused" };
    const type = req.headers.get("content-type");
    if (type && FORM_TYPES.test(type)) return { ok: false, status: 415, error: `content-type ${type.split(";")[0]} is not accepted here` };
  }
  return { ok: true };
}

/** Security headers for every response; pages get a CSP whose scripts must carry `nonce`. */
export function securityHeaders(nonce: string, config: GuardConfig): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${config.dev ? " 'unsafe-eval'" : ""}`,
    // React Flow positions nodes with inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${config.dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": csp,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
  };
}
