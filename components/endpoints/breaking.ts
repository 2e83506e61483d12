/** The breaking changes a refused (409) deploy, rollback or traffic split names, if that is why it was refused. */
export const breakingOf = (e: unknown): string[] | null => {
  const data = (e as { data?: { kind?: string; breaking?: string[] } } | null)?.data;
  return data?.kind === "conflict" && data.breaking ? data.breaking : null;
};
