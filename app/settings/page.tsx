import { Members } from "~/components/settings/members";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";

export const dynamic = "force-dynamic";

export default async function MembersPage() {
  const { principal, role } = await pageAccess("read", "/settings");
  return <Members canManage={can(principal, "manage", role)} />;
}
