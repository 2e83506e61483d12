import { Secrets } from "~/components/settings/secrets";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";

export const dynamic = "force-dynamic";

export default async function SecretsPage() {
  const { principal, role } = await pageAccess("read", "/settings/secrets");
  return <Secrets canManage={can(principal, "manage", role)} />;
}
