/** Endpoint slugs: the name in `/api/v1/endpoints/<slug>/predict`. */

export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const SLUG_MESSAGE = "use lowercase letters, digits and dashes (max 63)";

/** `Churn model (v2)` → `churn-model-v2`: a slug derived from a pipeline's name. */
export function slugify(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return s || "model";
}

/** `base`, or `base-2`, `base-3`, … — the first that is not taken. */
export function uniqueSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}
