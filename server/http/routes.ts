/**
 * Every HTTP route the app answers besides pages, with its methods. The proxy answers any other
 * method with 405 and `Allow`, and any other /api path with a JSON 404; a test keeps this list,
 * the route files under app/ and the OpenAPI document in step.
 */
export const apiRoutes: { path: string; methods: ("GET" | "POST" | "PUT" | "DELETE")[]; public: boolean }[] = [
  { path: "/api/health", methods: ["GET"], public: true },
  { path: "/api/trpc/{procedure}", methods: ["GET", "POST"], public: false },
  { path: "/api/v1/openapi.json", methods: ["GET"], public: true },
  { path: "/api/v1/datasets", methods: ["GET", "POST"], public: true },
  { path: "/api/v1/pipelines", methods: ["GET", "POST"], public: true },
  { path: "/api/v1/pipelines/{id}", methods: ["GET"], public: true },
  { path: "/api/v1/pipelines/{id}/runs", methods: ["POST"], public: true },
  { path: "/api/v1/runs/{runId}", methods: ["GET"], public: true },
  { path: "/api/v1/runs/{runId}/cancel", methods: ["POST"], public: true },
  { path: "/api/v1/endpoints/{slug}/predict", methods: ["POST"], public: true },
  { path: "/api/v1/endpoints/{slug}/openapi.json", methods: ["GET"], public: true },
  { path: "/metrics", methods: ["GET"], public: true },
];

const patterns = apiRoutes.map((r) => ({
  ...r,
  regex: new RegExp(`^${r.path.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/** The methods a path accepts (with HEAD and OPTIONS, which Next answers for them), or null for an unknown path. */
export function allowedMethods(pathname: string): string[] | null {
  const route = patterns.find((p) => p.regex.test(pathname));
  if (!route) return null;
  return [...route.methods, ...(route.methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
}
