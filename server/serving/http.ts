/**
 * The serving runtime's HTTP edge, on plain `node:http`: no web framework and no database on the
 * prediction path. `serveRequest` answers the serving routes (`servingRoutes`) and returns false
 * for any other path, so the web process can hand those to Next and `npm run serve` can answer
 * them 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { env } from "~/lib/env";
import { sameSecret } from "~/lib/crypto";
import { ClientClosedError, DomainError, InvalidError, NotFoundError, TooLargeError, UnauthenticatedError, UnavailableError, UnsupportedMediaTypeError } from "~/lib/errors";
import type { Db } from "~/db/client";
import { errorBody, errorHeaders, errorStatus, lostDatabase, UNAVAILABLE_MESSAGE } from "../http/errors";
import { bearerToken } from "../http/bearer";
import { jsonText } from "../http/body";
import { child, metrics } from "../metrics/registry";
import { answered, queueAnswer } from "./answers";
import { labelClasses, labelType, parseFeedback, recordFeedback } from "./feedback";
import { endpointOpenApi } from "./openapi";
import { millraceRows, mlflowRows, oipDatatype, oipOutputs, oipRows, labelDatatype, type Parsed } from "./protocols";
import type { ServingRuntime, Scored } from "./runtime";
import type { Served, Variant } from "./table";
import type { Label } from "~/workflows/model/model-file";
import { IGNORED_FIELDS_HEADER, fieldsHeader, UNSEEN_CATEGORIES_HEADER } from "~/workflows/model/validate";

/** Every path and method the runtime answers (the platform's route list and OpenAPI include them). */
export const servingRoutes: { path: string; methods: ("GET" | "POST")[] }[] = [
  { path: "/api/v1/endpoints/{slug}/predict", methods: ["POST"] },
  { path: "/api/v1/endpoints/{slug}/invocations", methods: ["POST"] },
  { path: "/api/v1/endpoints/{slug}/feedback", methods: ["POST"] },
  { path: "/api/v1/endpoints/{slug}/openapi.json", methods: ["GET"] },
  { path: "/v2", methods: ["GET"] },
  { path: "/v2/health/live", methods: ["GET"] },
  { path: "/v2/health/ready", methods: ["GET"] },
  { path: "/v2/models/{name}", methods: ["GET"] },
  { path: "/v2/models/{name}/ready", methods: ["GET"] },
  { path: "/v2/models/{name}/infer", methods: ["POST"] },
  { path: "/v2/models/{name}/versions/{version}", methods: ["GET"] },
  { path: "/v2/models/{name}/versions/{version}/ready", methods: ["GET"] },
  { path: "/v2/models/{name}/versions/{version}/infer", methods: ["POST"] },
  { path: "/metrics", methods: ["GET"] },
];

/** Callers pin a variant of an A/B split with this header (any string; the same one always gets the same variant). */
const STICKY_HEADER = "millrace-variant-key";

type Route =
  | { kind: "predict" | "invocations" | "feedback" | "openapi"; slug: string }
  | { kind: "server" | "live" | "ready" | "metrics" }
  | { kind: "model" | "model-ready" | "infer"; slug: string; version?: string };

const ENDPOINT_ACTIONS = { predict: "POST", invocations: "POST", feedback: "POST", "openapi.json": "GET" } as const;

/** A path segment decoded; a malformed escape (`%E0%A4%A`) stays as sent, which names no endpoint. */
const segment = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

/** The route of a path, and the method it takes; null when the runtime does not serve the path. */
export function matchServing(pathname: string): { route: Route; method: "GET" | "POST" } | null {
  if (pathname.startsWith("/api/v1/endpoints/")) {
    const parts = pathname.slice("/api/v1/endpoints/".length).split("/");
    if (parts.length !== 2 || !parts[0]) return null;
    const action = parts[1] as keyof typeof ENDPOINT_ACTIONS;
    if (!Object.hasOwn(ENDPOINT_ACTIONS, action)) return null;
    const kind = action === "openapi.json" ? "openapi" : action;
    return { route: { kind, slug: segment(parts[0]) }, method: ENDPOINT_ACTIONS[action] };
  }
  if (pathname === "/metrics") return { route: { kind: "metrics" }, method: "GET" };
  if (pathname === "/v2") return { route: { kind: "server" }, method: "GET" };
  if (pathname === "/v2/health/live") return { route: { kind: "live" }, method: "GET" };
  if (pathname === "/v2/health/ready") return { route: { kind: "ready" }, method: "GET" };
  if (pathname.startsWith("/v2/models/")) {
    const parts = pathname.slice("/v2/models/".length).split("/");
    const slug = segment(parts[0] ?? "");
    let rest = parts.slice(1);
    let version: string | undefined;
    if (rest[0] === "versions" && rest.length >= 2) {
      version = rest[1];
      rest = rest.slice(2);
    }
    if (!slug || rest.length > 1) return null;
    if (rest.length === 0) return { route: { kind: "model", slug, version }, method: "GET" };
    if (rest[0] === "ready") return { route: { kind: "model-ready", slug, version }, method: "GET" };
    if (rest[0] === "infer") return { route: { kind: "infer", slug, version }, method: "POST" };
  }
  return null;
}

/** Queues an answer (`queueAnswer`: a response answered already keeps its first answer). */
function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) {
  const text = body instanceof RawJson ? body.text : JSON.stringify(body);
  const all: Record<string, string | number> = { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff", "content-length": Buffer.byteLength(text) };
  if (headers) for (const k in headers) all[k] = headers[k]!;
  queueAnswer(res, status, all, text);
}

/** Where a read body goes: its parsed JSON, or the error that stopped it. */
interface BodySink {
  /** `text`: the body's JSON text, as parsed. */
  body(value: unknown, text: string): void;
  failed(e: unknown): void;
}

const tooLarge = (limit: number) => new TooLargeError(`the body is larger than ${Math.round((limit / 1024 / 1024) * 10) / 10} MiB (MAX_JSON_BYTES)`, { limit });

/**
 * Reads a JSON body within MAX_JSON_BYTES and hands it to `sink` in the request's own 'end'
 * callback — not a promise: answering in the same tick as the body arrives saves a hop through
 * the microtask queue on every prediction. 415 for another type, 413 above the limit (declared
 * or streamed), 400 for bad JSON. (No named closures per request: under tsx each would cost a
 * `__name` call.)
 */
function readJson(req: IncomingMessage, sink: BodySink) {
  const limit = env().MAX_JSON_BYTES;
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) return sink.failed(new UnsupportedMediaTypeError(`expected content-type application/json, got ${type || "none"}`));
  if (Number(req.headers["content-length"] ?? NaN) > limit) return sink.failed(tooLarge(limit));
  let first: Buffer | null = null;
  let chunks: Buffer[] | null = null;
  let size = 0;
  req.on("data", (c: Buffer) => {
    if (size < 0) return;
    size += c.length;
    if (size > limit) {
      size = -1;
      sink.failed(tooLarge(limit));
      return;
    }
    if (!first) first = c;
    else (chunks ??= [first]).push(c);
  });
  req.on("end", () => {
    if (size < 0) return;
    metrics().requestBytes.observe(size);
    let body: unknown;
    let text: string;
    try {
      text = jsonText(chunks ? Buffer.concat(chunks) : (first ?? Buffer.alloc(0)));
      body = JSON.parse(text);
    } catch (e) {
      return sink.failed(e instanceof DomainError ? e : new InvalidError(`body is not valid JSON: ${(e as Error).message}`));
    }
    sink.body(body, text);
  });
  req.on("error", () => sink.failed(new ClientClosedError("the client closed the request before sending all of it")));
  req.on("aborted", () => sink.failed(new ClientClosedError("the client closed the request before sending all of it")));
}

/**
 * A body left unread (refused before reading) must not be taken for the next request: the
 * connection closes after the answer, and what the client still sends is read and dropped (a
 * client blocked writing it would never read the answer), up to MAX_JSON_BYTES, then cut.
 */
function drainUnread(req: IncomingMessage, headers: Record<string, string>) {
  if (req.complete) return;
  headers.connection = "close";
  let dropped = 0;
  const limit = env().MAX_JSON_BYTES;
  req.on("data", (c: Buffer) => {
    dropped += c.length;
    if (dropped > limit) req.socket.destroy();
  });
  req.resume();
}

function fail(res: ServerResponse, e: unknown, req: IncomingMessage): number {
  let status: number;
  let body: unknown;
  let headers: Record<string, string> = {};
  if (e instanceof DomainError) {
    status = errorStatus[e.kind].http;
    body = errorBody(e);
    headers = errorHeaders(e);
  } else if (lostDatabase(e)) {
    status = 503;
    body = { error: UNAVAILABLE_MESSAGE };
  } else {
    console.error("[serving] unhandled error", e);
    status = 500;
    body = { error: "internal error" };
  }
  drainUnread(req, headers);
  if (status !== 499) send(res, status, body, headers);
  else if (!answered(res)) res.end();
  return status;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The variant a `/versions/<v>` path names, or the split's draw when none is named. */
function versionOf(served: Served, version: string | undefined) {
  if (version === undefined) return undefined;
  const v = [served.primary, ...served.live, ...served.shadows].find((x) => x.label === version);
  if (!v) throw new NotFoundError(`endpoint '${served.slug}' serves no version ${version}`);
  return v;
}

function rowsOrFail(parsed: Parsed) {
  if ("error" in parsed) throw new InvalidError(parsed.error);
  return parsed;
}

function modelMetadata(served: Served, version?: string) {
  const v = versionOf(served, version) ?? served.primary;
  const file = v.model.file;
  return {
    name: served.slug,
    versions: [...new Set([served.primary, ...served.live, ...served.shadows].map((x) => x.label))],
    platform: `millrace-${file.engine}`,
    inputs: v.inputs.map((c) => ({ name: c.name, datatype: oipDatatype(c), shape: [-1], ...(c.optional ? { parameters: { optional: true } } : {}) })),
    outputs: [
      { name: "predictions", datatype: file.task === "classification" ? labelDatatype(file.classes ?? []) : "FP64", shape: [-1] },
      ...(v.model.predictProba && file.classes ? [{ name: "probabilities", datatype: "FP64", shape: [-1, file.classes.length] }] : []),
    ],
  };
}

/** Millrace's own response: predictions, probabilities (classifiers), which model and version answered, the request's id. */
export const millraceBody = (scored: Scored) => ({
  predictions: scored.predictions,
  ...(scored.probabilities ? { probabilities: scored.probabilities } : {}),
  model: scored.variant.name,
  modelVersion: scored.variant.version,
  requestId: scored.requestId,
});

/** JSON text of a prediction label or probability (what JSON.stringify writes for it). */
const jsonValue = (v: Label | number) => (typeof v === "string" ? JSON.stringify(v) : typeof v === "number" && !Number.isFinite(v) ? "null" : String(v));

/** Each class key of a probabilities object, as JSON (`"yes":`), once per key. */
const keyText = new Map<string, string>();
const jsonKey = (k: string) => {
  let t = keyText.get(k);
  if (t === undefined) {
    t = `${JSON.stringify(k)}:`;
    if (keyText.size < 10_000) keyText.set(k, t);
  }
  return t;
};

/**
 * `JSON.stringify(millraceBody(scored))`, written directly: the one body on the prediction path,
 * whose probability objects (keys like "0" and "1") would send JSON.stringify down its slow path.
 */
export function millraceJson(scored: Scored): string {
  let out = '{"predictions":[';
  const { predictions, probabilities } = scored;
  for (let i = 0; i < predictions.length; i++) out += (i ? "," : "") + jsonValue(predictions[i]!);
  out += "]";
  if (probabilities) {
    out += ',"probabilities":[';
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i]!;
      out += i ? ",{" : "{";
      let first = true;
      for (const k in p) {
        out += (first ? "" : ",") + jsonKey(k) + jsonValue(p[k]!);
        first = false;
      }
      out += "}";
    }
    out += "]";
  }
  return `${out},"model":${JSON.stringify(scored.variant.name)},"modelVersion":${scored.variant.version},"requestId":"${scored.requestId}"}`;
}

/** An already-serialised JSON body (sent as it is). */
class RawJson {
  constructor(readonly text: string) {}
}

const responseHeaders = (scored: Scored) => ({
  "millrace-model": scored.variant.name,
  "millrace-model-version": String(scored.variant.version),
  "millrace-request-id": scored.requestId,
  ...(scored.ignored.length ? { [IGNORED_FIELDS_HEADER]: fieldsHeader(scored.ignored) } : {}),
  ...(scored.unseen.length ? { [UNSEEN_CATEGORIES_HEADER]: fieldsHeader(scored.unseen) } : {}),
});

/**
 * Answers a serving route; false when `pathname` is not one (the caller answers it). Requests
 * are counted and timed per endpoint; only endpoints that exist get a label of their own.
 */
export function serveRequest(rt: ServingRuntime, db: Db, req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  const match = matchServing(pathname);
  if (!match) return false;
  const method = req.method ?? "GET";
  if (method !== match.method && !(method === "HEAD" && match.method === "GET")) {
    const allow = match.method === "GET" ? "GET, HEAD" : "POST";
    if (method === "OPTIONS") {
      res.writeHead(204, { allow });
      res.end();
    } else {
      const headers: Record<string, string> = { allow };
      drainUnread(req, headers);
      send(res, 405, { error: `method ${method} is not allowed on ${pathname}; use ${allow}` }, headers);
    }
    return true;
  }
  try {
    answer(rt, db, req, res, match.route);
  } catch (e) {
    // answer() handles its own errors; this is the last guard, so that no request is left hanging.
    fail(res, e, req);
  }
  return true;
}

/**
 * One request being answered: counted and timed once it is answered, whatever the path. A class
 * rather than closures: the prediction path creates one object per request and nothing else.
 */
class Exchange implements BodySink {
  private readonly started = performance.now();
  private label = "_unknown";
  private finished = false;
  served: Served | null = null;
  predict: { kind: "predict" | "invocations" | "infer"; sticky: string | undefined; pinned: Variant | undefined } | null = null;

  constructor(
    private readonly rt: ServingRuntime,
    private readonly db: Db,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly counted: boolean,
  ) {}

  at(served: Served) {
    this.served = served;
    this.label = served.slug;
  }

  labelAs(slug: string) {
    this.label = slug;
  }

  private finish(status: number) {
    if (this.finished || !this.counted) return;
    this.finished = true;
    const m = metrics();
    const label = this.label;
    const seconds = (performance.now() - this.started) / 1000;
    const served = this.served;
    if (served) {
      // Resolved once per endpoint and status, kept with the endpoint.
      const meters = (served.meters ??= { latency: m.latency.labels({ endpoint: label }), byStatus: new Map() });
      let counter = meters.byStatus.get(status);
      if (!counter) meters.byStatus.set(status, (counter = m.requests.labels({ endpoint: label, status: String(status) })));
      counter.inc();
      meters.latency.observe(seconds);
      return;
    }
    child(`req|${label}|${status}`, () => m.requests.labels({ endpoint: label, status: String(status) })).inc();
    child(`lat|${label}`, () => m.latency.labels({ endpoint: label })).observe(seconds);
  }

  failed(e: unknown) {
    this.finish(fail(this.res, e, this.req));
  }

  reply(status: number, body: unknown, headers?: Record<string, string>) {
    send(this.res, status, body, headers);
    this.finish(status);
  }

  /** The request's JSON arrived: a prediction in its protocol, or feedback. */
  body(value: unknown, text: string) {
    try {
      const served = this.served!;
      if (!this.predict) {
        const labels = parseFeedback(value, labelType(served), labelClasses(served));
        recordFeedback(this.db, served.endpointId, labels).then(
          (counts) => this.reply(200, counts),
          (e: unknown) => this.failed(e),
        );
        return;
      }
      const [status, out, headers] = predictWith(this.rt, served, this.predict.kind, value, text, this.predict.sticky, this.predict.pinned);
      this.reply(status, out, headers);
    } catch (e) {
      this.failed(e);
    }
  }
}

/**
 * `GET /metrics`: this process's registry — the endpoints it serves, the prediction log, drift and
 * live accuracy (judged where endpoints are served), pipeline runs and node timings (from
 * Postgres at scrape time). Open unless METRICS_TOKEN is set.
 */
function metricsText(req: IncomingMessage, res: ServerResponse, x: Exchange) {
  const token = env().METRICS_TOKEN;
  if (token && !sameSecret(bearerToken(req.headers.authorization) ?? "", token)) throw new UnauthenticatedError("this /metrics needs `Authorization: Bearer <METRICS_TOKEN>`");
  const registry = metrics().registry;
  registry.metrics().then(
    (text) => queueAnswer(res, 200, { "content-type": registry.contentType, "cache-control": "no-store", "content-length": Buffer.byteLength(text) }, text),
    (e: unknown) => x.failed(lostDatabase(e) ? e : new UnavailableError(`metrics unavailable: ${(e as Error).message}`)),
  );
}

function answer(rt: ServingRuntime, db: Db, req: IncomingMessage, res: ServerResponse, route: Route) {
  const x = new Exchange(rt, db, req, res, "slug" in route);
  try {
    switch (route.kind) {
      case "server":
        return x.reply(200, { name: "millrace", version: "1", extensions: [] });
      case "live":
        return x.reply(200, { live: true });
      case "ready":
        return x.reply(rt.ready ? 200 : 503, { ready: rt.ready });
      case "metrics":
        return metricsText(req, res, x);
    }
    if (!rt.ready) throw new UnavailableError("endpoints are still loading; try again in a moment");
    const auth = one(req.headers.authorization);
    let served: Served;
    try {
      served = rt.authorize(route.slug, auth);
    } catch (e) {
      // A refused caller of an endpoint that exists is counted under its name (unknown slugs share one label).
      const known = e instanceof NotFoundError ? undefined : rt.endpoint(route.slug);
      if (known) x.labelAs(known.slug);
      throw e;
    }
    x.at(served);
    switch (route.kind) {
      case "openapi":
        return x.reply(200, endpointOpenApi(env().publicUrl, served));
      case "model":
        return x.reply(200, modelMetadata(served, route.version));
      case "model-ready":
        versionOf(served, route.version);
        return x.reply(200, { name: served.slug, ready: true });
      case "feedback":
        if (!auth?.includes("mrk_")) throw new UnauthenticatedError(`feedback changes the live accuracy of endpoint '${served.slug}': send Authorization: Bearer <serving key>`);
        return readJson(req, x);
    }
    x.predict = { kind: route.kind, sticky: one(req.headers[STICKY_HEADER]), pinned: route.kind === "infer" ? versionOf(served, route.version) : undefined };
    readJson(req, x);
  } catch (e) {
    x.failed(e);
  }
}

/** Scores a parsed body (`text`: its JSON text) in one protocol's shapes: [status, body, headers]. */
function predictWith(rt: ServingRuntime, served: Served, kind: "predict" | "invocations" | "infer", body: unknown, text: string, sticky: string | undefined, pinned: Variant | undefined): [number, unknown, Record<string, string>] {
  const inputs = served.primary.inputs;
  if (kind === "predict") {
    const { rows, batch } = rowsOrFail(millraceRows(body, inputs));
    // One object: the body is the row, and its text is logged as it came.
    const scored = rt.score(served, rows, { batch, stickyKey: sticky, text: batch ? undefined : text });
    return [200, new RawJson(millraceJson(scored)), responseHeaders(scored)];
  }
  if (kind === "invocations") {
    const { rows } = rowsOrFail(mlflowRows(body, inputs));
    const scored = rt.score(served, rows, { batch: true, stickyKey: sticky, where: (i, f) => `row ${i}: ${f}` });
    return [200, { predictions: scored.predictions }, responseHeaders(scored)];
  }
  const parsed = oipRows(body);
  const { rows } = rowsOrFail(parsed);
  const scored = rt.score(served, rows, { batch: true, stickyKey: sticky, variant: pinned, where: (i, f) => `input ${f}, row ${i}:` });
  const outputs = oipOutputs(scored.predictions, scored.probabilities, scored.variant.model.file.classes);
  const wanted = "outputs" in parsed ? parsed.outputs : undefined;
  const unknownOutput = wanted?.find((w) => !outputs.some((o) => o.name === w));
  if (unknownOutput) throw new InvalidError(`unknown output '${unknownOutput}'; this model has ${outputs.map((o) => o.name).join(", ")}`);
  return [
    200,
    {
      model_name: served.slug,
      model_version: scored.variant.label,
      id: ("id" in parsed && parsed.id) || scored.requestId,
      parameters: { requestId: scored.requestId },
      outputs: wanted ? outputs.filter((o) => wanted.includes(o.name)) : outputs,
    },
    responseHeaders(scored),
  ];
}
