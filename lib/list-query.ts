/**
 * Search and sort of a list page (pipelines, datasets) from its URL: `?q=` keeps the items whose
 * name contains the text (any case), `?sort=` picks one of the page's orders (its first when
 * absent or unknown).
 */
export type SearchParams = Record<string, string | string[] | undefined>;

export interface ListQuery<S extends string> {
  q: string;
  sort: S;
}

/** A query parameter's first value (Next gives a repeated one as an array). */
export const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function listQueryOf<S extends string>(params: SearchParams, sorts: readonly S[]): ListQuery<S> {
  const sort = first(params.sort);
  return { q: (first(params.q) ?? "").trim().slice(0, 200), sort: sorts.includes(sort as S) ? (sort as S) : sorts[0]! };
}

/** The items whose name contains `q`, in the order `compare[sort]` gives (ties by name). */
export function searchAndSort<T extends { name: string }, S extends string>(items: readonly T[], query: ListQuery<S>, compare: Record<S, (a: T, b: T) => number>): T[] {
  const needle = query.q.toLocaleLowerCase();
  const kept = needle ? items.filter((x) => x.name.toLocaleLowerCase().includes(needle)) : [...items];
  const byName = (a: T, b: T) => a.name.localeCompare(b.name);
  return kept.sort((a, b) => compare[query.sort](a, b) || byName(a, b));
}
