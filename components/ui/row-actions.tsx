"use client";

import { useState, type ReactNode } from "react";

const button = "rounded px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100";

/**
 * Rename and delete for one row of a list (plus any `extra` buttons): rename inline; delete only
 * after a confirmation that says what goes with it (`describeDelete`, asked of the server).
 */
export function RowActions({
  name,
  rename,
  describeDelete,
  remove,
  extra,
}: {
  name: string;
  rename: (name: string) => Promise<unknown>;
  describeDelete: () => Promise<ReactNode>;
  remove: () => Promise<unknown>;
  extra?: ReactNode;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<ReactNode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const attempt = (work: () => Promise<unknown>, after: () => void) =>
    void work().then(
      () => {
        setError(null);
        after();
      },
      (e: unknown) => setError((e as Error).message),
    );
  return (
    <div className="flex flex-wrap items-center justify-end gap-1">
      {renaming !== null ? (
        <form
          className="flex gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            attempt(() => rename(renaming), () => setRenaming(null));
          }}
        >
          <input aria-label={`New name for ${name}`} autoFocus value={renaming} onChange={(e) => setRenaming(e.target.value)} className="rounded border border-slate-300 px-2 py-0.5 text-xs" />
          <button type="submit" className={button}>
            Rename
          </button>
          <button type="button" className={button} onClick={() => setRenaming(null)}>
            Cancel
          </button>
        </form>
      ) : confirming ? (
        <span role="alertdialog" aria-label={`Delete ${name}`} className="flex flex-wrap items-center gap-1 text-xs text-red-800">
          {confirming}
          <button type="button" className="rounded bg-red-600 px-2 py-0.5 text-white hover:bg-red-700" onClick={() => attempt(remove, () => setConfirming(null))}>
            Delete
          </button>
          <button type="button" className={button} onClick={() => setConfirming(null)}>
            Keep it
          </button>
        </span>
      ) : (
        <>
          <button type="button" className={button} onClick={() => setRenaming(name)}>
            Rename
          </button>
          {extra}
          <button type="button" className={`${button} text-red-700`} onClick={() => attempt(async () => setConfirming(await describeDelete()), () => {})}>
            Delete…
          </button>
        </>
      )}
      {error && <span className="text-xs text-red-600">{error}</span>}
    </div>
  );
}

export const rowButton = button;
