/** The breaking changes a refused (409) deploy, rollback or traffic split names, if that is why it was refused. */
export const breakingOf = (e: unknown): string[] | null => {
  const data = (e as { data?: { kind?: string; breaking?: string[] } } | null)?.data;
  return data?.kind === "conflict" && data.breaking ? data.breaking : null;
};

/**
 * The confirmation a refused change asks for: what callers of the endpoint would lose, and a
 * button that makes the same change confirmed (and, where the change can be dropped, Cancel).
 */
export function ConfirmBreaking({
  slug,
  breaking,
  action,
  onConfirm,
  onCancel,
}: {
  /** The endpoint whose callers are affected, or (for an alias move) a phrase naming the endpoints. */
  slug: string;
  breaking: string[];
  action: string;
  onConfirm: () => void;
  onCancel?: () => void;
}) {
  const whose = slug.includes(" ") ? slug : `/${slug}`;
  return (
    <div role="alertdialog" aria-label="Confirm schema change" className="rounded border border-amber-400 bg-amber-50 p-2 text-sm">
      <p className="mb-1 font-medium text-amber-900">This changes what callers of {whose} send or get back:</p>
      <ul className="mb-2 list-disc pl-5 text-amber-900">
        {breaking.map((b) => (
          <li key={b}>{b}</li>
        ))}
      </ul>
      <div className="flex gap-2">
        <button type="button" className="rounded bg-amber-600 px-3 py-1 text-white hover:bg-amber-700" onClick={onConfirm}>
          {action}
        </button>
        {onCancel && (
          <button type="button" className="rounded px-3 py-1 text-slate-600 hover:bg-amber-100" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </div>
  );
}
