import { db } from "~/db/client";
import { InvalidError, TooLargeError, UnsupportedMediaTypeError } from "~/lib/errors";
import { importCsv, listDatasets } from "~/server/datasets/service";
import { handle, json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";
import { MAX_CSV_BYTES } from "~/workflows/data/import-csv";

export const dynamic = "force-dynamic";

export const GET = handle(async () => json({ datasets: await listDatasets(db()) }));

export const POST = handle(async (req: Request) => {
  const name = new URL(req.url).searchParams.get("name")?.trim();
  if (!name) throw new InvalidError("query parameter 'name' is required");
  if (name.length > 200) throw new InvalidError("name is longer than 200 characters");
  const type = req.headers.get("content-type") ?? "";
  if (!/^(text\/csv|application\/csv)\b/i.test(type)) throw new UnsupportedMediaTypeError(`expected content-type text/csv, got ${type || "none"}`);
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_CSV_BYTES) throw new TooLargeError(`CSV larger than ${MAX_CSV_BYTES} bytes`);
  const ds = await importCsv(db(), artifactStore(), name, new Uint8Array(await req.arrayBuffer()));
  return json({ id: ds.id, name: ds.name, rows: ds.rows, columns: ds.columns.map(({ name, type }) => ({ name, type })) }, 201);
});
