/**
 * A dataset from a URL: https only (plain http only for allow-listed hosts), at most
 * MAX_UPLOAD_BYTES, within DOWNLOAD_TIMEOUT_SECONDS, at most five redirects each checked again.
 * Every connection goes to an address checked against the private-network rules at connect
 * time (the request's own DNS lookup is replaced), so a name cannot be re-pointed in between.
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { env } from "~/lib/env";
import { TooLargeError, UserError } from "~/lib/errors";
import { checkedLookupFor, isAllowListed } from "../network";

const MAX_REDIRECTS = 5;

const checkedLookup = checkedLookupFor("download");

export interface Downloaded {
  size: number;
  /** The name the URL (or Content-Disposition) gives the file, for its format. */
  filename: string;
  contentType: string;
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError("the URL is not valid");
  }
  if (url.username || url.password) throw new UserError("the URL may not carry a user name or password; put credentials in a secret-backed source instead");
  if (url.protocol === "http:" && !isAllowListed(url.hostname)) throw new UserError("only https URLs are downloaded (plain http only from hosts in PRIVATE_SOURCE_HOSTS)");
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UserError("only https URLs are downloaded");
  return url;
}

export async function downloadToFile(raw: string, file: string, signal?: AbortSignal): Promise<Downloaded> {
  const e = env();
  const limit = e.MAX_UPLOAD_BYTES;
  const deadline = AbortSignal.timeout(e.DOWNLOAD_TIMEOUT_SECONDS * 1000);
  const abort = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let url = parseUrl(raw);
  for (let hop = 0; ; hop++) {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const get = url.protocol === "https:" ? https.get : http.get;
      const req = get(url, { lookup: checkedLookup, signal: abort, headers: { "user-agent": "Millrace", accept: "*/*" } }, resolve);
      req.on("error", reject);
    }).catch((err: Error) => {
      if (deadline.aborted) throw new UserError(`the download took longer than ${e.DOWNLOAD_TIMEOUT_SECONDS} s (DOWNLOAD_TIMEOUT_SECONDS)`);
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot download ${url.host}: ${err.message}`);
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new UserError(`more than ${MAX_REDIRECTS} redirects`);
      url = parseUrl(new URL(res.headers.location, url).toString());
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new UserError(`the server answered ${status} for ${url.host}${url.pathname}`);
    }
    const declared = Number(res.headers["content-length"] ?? NaN);
    if (declared > limit) {
      res.destroy();
      throw new TooLargeError(`the file is ${declared} bytes; at most ${limit} are accepted (MAX_UPLOAD_BYTES)`);
    }
    let size = 0;
    const out = fs.createWriteStream(file);
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > limit) throw new TooLargeError(`the file is larger than ${limit} bytes (MAX_UPLOAD_BYTES)`);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      res.destroy();
      out.destroy();
      if (deadline.aborted) throw new UserError(`the download took longer than ${e.DOWNLOAD_TIMEOUT_SECONDS} s (DOWNLOAD_TIMEOUT_SECONDS)`);
      throw err;
    }
    const disposition = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers["content-disposition"] ?? "")?.[1];
    const filename = decodeURIComponent(disposition ?? url.pathname.split("/").pop() ?? "download");
    return { size, filename, contentType: res.headers["content-type"] ?? "" };
  }
}
