/**
 * Every HTTP route the app (Next) answers besides pages, with its methods and what each needs: an
 * action in a workspace (`can` decides, server/auth/policy.ts), a signed-in caller, `public`, or,
 * for tRPC, each procedure's own. The web server
 * answers any other method with 405 and `Allow`, and any other /api path with a JSON 404; tests
 * keep this list, the route files under app/ and the OpenAPI document in step. Prediction
 * traffic and `/metrics` are not here: the serving runtime answers its own routes
 * (server/serving/http.ts `servingRoutes`) in the front process, before a request reaches Next.
 */
import type { Action } from "../auth/policy";

export type RoutePolicy = Action | "signed-in" | "public" | "per-procedure";
type Method = "GET" | "POST" | "PUT" | "DELETE";

export const apiRoutes: { path: string; methods: Partial<Record<Method, RoutePolicy>>; public: boolean }[] = [
  { path: "/api/health", methods: { GET: "public" }, public: true },
  { path: "/api/auth/{...path}", methods: { GET: "public", POST: "public" }, public: false },
  { path: "/api/trpc/{procedure}", methods: { GET: "per-procedure", POST: "per-procedure" }, public: false },
  { path: "/api/v1/openapi.json", methods: { GET: "public" }, public: true },
  { path: "/api/v1/me", methods: { GET: "signed-in" }, public: true },
  { path: "/api/v1/datasets", methods: { GET: "read", POST: "edit" }, public: true },
  { path: "/api/v1/uploads", methods: { POST: "edit" }, public: true },
  { path: "/api/v1/uploads/{id}/preview", methods: { POST: "edit" }, public: true },
  { path: "/api/v1/pipelines", methods: { GET: "read", POST: "edit" }, public: true },
  { path: "/api/v1/pipelines/{id}", methods: { GET: "read" }, public: true },
  { path: "/api/v1/pipelines/{id}/runs", methods: { POST: "run" }, public: true },
  { path: "/api/v1/pipelines/{id}/schedules", methods: { GET: "read", POST: "run" }, public: true },
  { path: "/api/v1/pipelines/{id}/schedules/{scheduleId}", methods: { DELETE: "run" }, public: true },
  { path: "/api/v1/pipelines/{id}/schedules/{scheduleId}/pause", methods: { POST: "run" }, public: true },
  { path: "/api/v1/pipelines/{id}/schedules/{scheduleId}/resume", methods: { POST: "run" }, public: true },
  { path: "/api/v1/pipelines/{id}/triggers", methods: { GET: "read", POST: "run" }, public: true },
  { path: "/api/v1/pipelines/{id}/triggers/{triggerId}", methods: { PUT: "run", DELETE: "run" }, public: true },
  { path: "/api/v1/runs/{runId}", methods: { GET: "read" }, public: true },
  { path: "/api/v1/runs/{runId}/cancel", methods: { POST: "run" }, public: true },
  { path: "/api/v1/runs/{runId}/nodes/{nodeId}/outputs/{port}", methods: { GET: "read" }, public: true },
  { path: "/api/v1/endpoints", methods: { GET: "read" }, public: true },
  { path: "/api/v1/endpoints/{slug}/deploy", methods: { POST: "deploy" }, public: true },
  { path: "/api/v1/endpoints/{slug}/revisions", methods: { GET: "read" }, public: true },
  { path: "/api/v1/endpoints/{slug}/rollback", methods: { POST: "deploy" }, public: true },
  { path: "/api/v1/endpoints/{slug}/traffic", methods: { PUT: "deploy" }, public: true },
  { path: "/api/v1/endpoints/{slug}/settings", methods: { PUT: "deploy" }, public: true },
  { path: "/api/v1/endpoints/{slug}/performance", methods: { GET: "read" }, public: true },
  { path: "/api/v1/endpoints/{slug}/monitoring", methods: { GET: "read" }, public: true },
  { path: "/api/v1/models", methods: { GET: "read" }, public: true },
  { path: "/api/v1/models/{name}/versions", methods: { GET: "read" }, public: true },
  { path: "/api/v1/models/{name}/aliases/{alias}", methods: { PUT: "deploy", DELETE: "deploy" }, public: true },
  { path: "/api/v1/keys", methods: { GET: "deploy", POST: "deploy" }, public: true },
  { path: "/api/v1/keys/{id}", methods: { DELETE: "deploy" }, public: true },
  { path: "/api/v1/batch-scores", methods: { GET: "read", POST: "run" }, public: true },
  { path: "/api/v1/batch-scores/{id}", methods: { GET: "read", DELETE: "run" }, public: true },
  { path: "/api/v1/batch-scores/{id}/cancel", methods: { POST: "run" }, public: true },
  { path: "/api/v1/batch-scores/{id}/download", methods: { GET: "read" }, public: true },
];

/** `{x}` matches one segment, `{...x}` the rest of the path; everything else literally. */
function pathRegex(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) => {
    if (part.startsWith("{...")) return ".+";
    if (part.startsWith("{")) return "[^/]+";
    return part.replace(/[.]/g, "\\.");
  });
  return new RegExp(`^${parts.join("")}$`);
}

const patterns = apiRoutes.map((r) => ({ ...r, regex: pathRegex(r.path) }));

/** The methods a path accepts (with HEAD and OPTIONS, which Next answers for them), or null for an unknown path. */
export function allowedMethods(pathname: string): string[] | null {
  const route = patterns.find((p) => p.regex.test(pathname));
  if (!route) return null;
  const methods = Object.keys(route.methods);
  return [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
}
