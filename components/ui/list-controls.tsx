import type { ListQuery } from "~/lib/list-query";

const inputClass = "rounded border border-slate-300 px-2 py-1 text-sm";

/** Search by name and a sort order for a list page: a GET form, so it works before any script and the URL can be shared. */
export function ListControls<S extends string>({ label, query, sorts }: { label: string; query: ListQuery<S>; sorts: Record<S, string> }) {
  return (
    <form method="get" role="search" aria-label={`Search ${label}`} className="mb-3 flex flex-wrap items-end gap-2 text-sm">
      <label className="flex flex-col text-xs text-slate-500">
        Name contains
        <input type="search" name="q" defaultValue={query.q} maxLength={200} className={inputClass} />
      </label>
      <label className="flex flex-col text-xs text-slate-500">
        Sort by
        <select name="sort" defaultValue={query.sort} className={inputClass}>
          {(Object.entries(sorts) as [S, string][]).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-50">
        Apply
      </button>
    </form>
  );
}
