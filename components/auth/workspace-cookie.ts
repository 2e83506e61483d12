/** The cookie the server reads for the active workspace (WORKSPACE_COOKIE in server/auth/principal.ts). */
const WORKSPACE_COOKIE = "millrace-workspace";

/** Makes `id` the active workspace for the pages and calls that follow. */
export function setActiveWorkspace(id: string) {
  document.cookie = `${WORKSPACE_COOKIE}=${id}; path=/; samesite=lax; max-age=31536000`;
}

/** Pages that list the active workspace's things: after a switch they show the new workspace's. */
const LIST_PAGES = /^\/(pipelines|runs|endpoints|datasets|settings(\/[a-z]+)?|account)$/;

/**
 * Makes `id` the active workspace and loads again: the same page if it lists the workspace's
 * things, else the home page (a pipeline or run of the old workspace is not in the new one).
 */
export function enterWorkspace(id: string) {
  setActiveWorkspace(id);
  const here = window.location.pathname;
  // A full load on purpose: no page or cached query of the previous workspace survives.
  window.location.assign(LIST_PAGES.test(here) ? here : "/");
}
