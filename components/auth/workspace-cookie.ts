/** The cookie the server reads for the active workspace (WORKSPACE_COOKIE in server/auth/principal.ts). */
const WORKSPACE_COOKIE = "millrace-workspace";

/** Makes `id` the active workspace for the pages and calls that follow. */
export function setActiveWorkspace(id: string) {
  document.cookie = `${WORKSPACE_COOKIE}=${id}; path=/; samesite=lax; max-age=31536000`;
}

/** Makes `id` the active workspace and starts over from the home page: every list belongs to a workspace. */
export function enterWorkspace(id: string) {
  setActiveWorkspace(id);
  // A full load on purpose: no page or cached query of the previous workspace survives.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign("/");
}
