const BASE = "http://millrace.invalid";

/**
 * A path on this site to return to (after sign-in): whatever `next` says, the result resolves on
 * this origin. Control characters and backslashes (which browsers strip or turn into slashes,
 * making `/\t/evil.example` another site) are refused outright; anything else becomes "/".
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
