import { ServingKeys } from "~/components/settings/serving-keys";
import { pageAccess } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

export default async function ServingKeysPage() {
  await pageAccess("deploy", "/settings/keys");
  return <ServingKeys />;
}
