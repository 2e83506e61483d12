/** The route list, the route files under app/ and the OpenAPI document say the same thing; the guard applies them. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkRequest, hostAllowed, type GuardConfig } from "./guard";
import { platformOpenApi } from "./openapi";
import { servingRoutes } from "../serving/http";
import { allowedMethods, apiRoutes } from "./routes";

/** Route files as Next finds them: app/<segments>/route.ts → "/<segments>", [x] → {x}. */
function routeFiles(dir = "app", prefix = ""): { path: string; methods: Record<string, string> }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full, `${prefix}/${e.name.replace(/^\[(.+)\]$/, "{$1}")}`);
    if (e.name !== "route.ts") return [];
    const src = fs.readFileSync(full, "utf8");
    return [{ path: prefix.replace("{trpc}", "{procedure}"), methods: policiesIn(src) }];
  });
}

/**
 * What each exported method of a route file is wrapped in: `guarded("<action>", …)`,
 * `signedInRoute`, `publicRoute`, or tRPC's per-procedure handler. A handler in
 * none of them has no policy, and fails the test below.
 */
function policiesIn(src: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of src.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b(?: = (\w+)(?:<[^>]*>)?\((?:"(\w+)")?)?/g)) {
    const wrapper = m[2];
    out[m[1]!] = wrapper === "guarded" ? m[3]! : wrapper === "signedInRoute" ? "signed-in" : wrapper === "publicRoute" ? "public" : "none";
  }
  for (const m of src.matchAll(/handler as (GET|POST)/g)) out[m[1]!] = src.includes("fetchRequestHandler") && src.includes("appRouter") ? "per-procedure" : "none";
  return out;
}

describe("routes", () => {
  it("lists exactly the route files, their methods and the policy each method's handler applies", () => {
    const files = routeFiles().sort((a, b) => a.path.localeCompare(b.path));
    const listed = apiRoutes.map((r) => ({ path: r.path, methods: r.methods })).sort((a, b) => a.path.localeCompare(b.path));
    expect(files).toEqual(listed);
  });

  it("documents every public route and method in the OpenAPI document, and nothing else", () => {
    const doc = platformOpenApi("http://localhost");
    const documented = Object.entries(doc.paths).map(([p, ops]) => ({ path: p, methods: Object.keys(ops).map((m) => m.toUpperCase()).sort() }));
    const listed = [
      ...apiRoutes.filter((r) => r.public).map((r) => ({ path: r.path, methods: Object.keys(r.methods).sort() })),
      ...servingRoutes.map((r) => ({ path: r.path, methods: [...r.methods].sort() })),
    ];
    expect(documented.sort((a, b) => a.path.localeCompare(b.path))).toEqual(listed.sort((a, b) => a.path.localeCompare(b.path)));
  });

  it("knows the methods of a path, with HEAD and OPTIONS", () => {
    expect(allowedMethods("/api/v1/pipelines/abc/runs")).toEqual(["POST", "OPTIONS"]);
    expect(allowedMethods("/api/v1/pipelines")).toEqual(["GET", "POST", "HEAD", "OPTIONS"]);
    expect(allowedMethods("/api/v1/nope")).toBeNull();
    expect(allowedMethods("/api/auth/sign-in/email")).toEqual(["GET", "POST", "HEAD", "OPTIONS"]);
    expect(allowedMethods("/api/v1/openapi.json")).toEqual(["GET", "HEAD", "OPTIONS"]);
    expect(allowedMethods("/api/v1/openapiXjson")).toBeNull();
  });
});

describe("guard", () => {
  const config: GuardConfig = { allowedHosts: ["localhost", "127.0.0.1", "::1", "millrace.example"], dev: false };
  const req = (method: string, url: string, headers: Record<string, string> = {}) =>
    checkRequest({ method, url, headers: new Headers({ host: new URL(url).host, ...headers }) }, config);

  it("answers only the allowed host names (no DNS rebinding)", () => {
    expect(hostAllowed("localhost:3000", config)).toBe(true);
    expect(hostAllowed("[::1]:3000", config)).toBe(true);
    expect(hostAllowed("millrace.example", config)).toBe(true);
    expect(hostAllowed("evil.example:3000", config)).toBe(false);
    expect(req("GET", "http://evil.example:3000/")).toMatchObject({ ok: false, status: 403 });
  });

  it("refuses cross-site state changes and form content types, but lets scripts and same-origin pages through", () => {
    const url = "http://localhost:3000/api/v1/pipelines/00000000-0000-0000-0000-000000000000/runs";
    expect(req("POST", url)).toEqual({ ok: true });
    expect(req("POST", url, { origin: "http://localhost:3000", "sec-fetch-site": "same-origin" })).toEqual({ ok: true });
    expect(req("POST", url, { origin: "https://evil.example" })).toMatchObject({ ok: false, status: 403 });
    expect(req("POST", url, { "sec-fetch-site": "cross-site" })).toMatchObject({ ok: false, status: 403 });
    expect(req("POST", url, { "sec-fetch-site": "same-site" })).toMatchObject({ ok: false, status: 403 });
    expect(req("POST", url, { origin: "null" })).toMatchObject({ ok: false, status: 403 });
    expect(req("POST", url, { "content-type": "application/x-www-form-urlencoded" })).toMatchObject({ ok: false, status: 415 });
    expect(req("GET", "http://localhost:3000/api/v1/pipelines", { origin: "https://evil.example" })).toEqual({ ok: true });
  });

  it("answers a method a route does not have with 405 and Allow, and an unknown API path with 404", () => {
    expect(req("TRACE", "http://localhost:3000/api/v1/pipelines")).toEqual({
      ok: false,
      status: 405,
      error: "method TRACE is not allowed on /api/v1/pipelines; use GET, POST, HEAD, OPTIONS",
      headers: { allow: "GET, POST, HEAD, OPTIONS" },
    });
    expect(req("DELETE", "http://localhost:3000/pipelines")).toMatchObject({ status: 405, headers: { allow: "GET, HEAD, OPTIONS" } });
    expect(req("GET", "http://localhost:3000/api/v1/nope")).toMatchObject({ status: 404 });
  });
});
