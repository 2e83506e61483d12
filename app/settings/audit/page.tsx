import { AuditLog } from "~/components/settings/audit";
import { pageAccess } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

export default async function AuditPage() {
  await pageAccess("manage", "/settings/audit");
  return <AuditLog />;
}
