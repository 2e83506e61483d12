import { signedInRoute } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { myWorkspaces } from "~/server/workspaces/service";

export const dynamic = "force-dynamic";

/** Who the caller is (a user, or a token and its scopes) and the workspaces it can act in. */
export const GET = signedInRoute(async ({ db, principal }) =>
  json({
    kind: principal.kind,
    ...(principal.kind === "user" ? { email: principal.email, name: principal.name } : { tokenId: principal.tokenId, tokenKind: principal.tokenKind, scopes: principal.scopes }),
    isAdmin: principal.isAdmin,
    workspaces: await myWorkspaces(db, principal),
  }),
);
