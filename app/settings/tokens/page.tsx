import { Tokens } from "~/components/settings/tokens";
import { pageAccess } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

export default async function WorkspaceTokensPage() {
  await pageAccess("manage", "/settings/tokens");
  return <Tokens kind="workspace" />;
}
