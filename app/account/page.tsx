import { ChangePassword } from "~/components/settings/password";
import { Sessions } from "~/components/settings/sessions";
import { Tokens } from "~/components/settings/tokens";
import { Workspaces } from "~/components/settings/workspaces";
import { requireSignedIn } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

/** The signed-in user's own sessions and personal API tokens. */
export default async function AccountPage() {
  const principal = await requireSignedIn("/account");
  return (
    <div className="mx-auto h-full max-w-5xl overflow-y-auto p-6">
      <h1 className="mb-4 text-xl font-semibold">{principal.kind === "user" ? principal.email : "API token"}</h1>
      {principal.kind === "user" && <Workspaces />}
      {principal.kind === "user" && <ChangePassword />}
      <Sessions />
      <Tokens kind="personal" />
    </div>
  );
}
