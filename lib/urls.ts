/** A path on this site to return to (after sign-in); anything else, another site included, becomes "/". */
export const safeNext = (next: string | null | undefined) => (next && /^\/(?![/\\])/.test(next) ? next : "/");
