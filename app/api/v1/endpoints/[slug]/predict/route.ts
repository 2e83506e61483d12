import { db } from "~/db/client";
import { publicRoute } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { predict } from "~/server/serving/runtime";
import { IGNORED_FIELDS_HEADER, ignoredFieldsHeader } from "~/server/serving/validate";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const POST = publicRoute<{ slug: string }>(async ({ req, params }) => {
  const { body, ignored } = await predict(db(), artifactStore(), params.slug, () => readJsonBody(req));
  return json(body, 200, ignored.length ? { [IGNORED_FIELDS_HEADER]: ignoredFieldsHeader(ignored) } : {});
});
