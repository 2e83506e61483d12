import { db } from "../../../../db/client";
import { artifactStore } from "../../../../server/artifacts";
import { CsvError, importCsv, listDatasets, MAX_CSV_BYTES } from "../../../../server/datasets/service";
import { handle, HttpError, json } from "../../../../server/http/errors";

export const dynamic = "force-dynamic";

export const GET = handle(async () => json({ datasets: await listDatasets(db()) }));

export const POST = handle(async (req: Request) => {
  const name = new URL(req.url).searchParams.get("name")?.trim();
  if (!name) throw new HttpError(400, { error: "query parameter 'name' is required" });
  if (name.length > 200) throw new HttpError(400, { error: "name is longer than 200 characters" });
  const type = req.headers.get("content-type") ?? "";
  if (!/^(text\/csv|application\/csv)\b/i.test(type)) {
    throw new HttpError(415, { error: `expected content-type text/csv, got ${type || "none"}` });
  }
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_CSV_BYTES) throw new HttpError(413, { error: `CSV larger than ${MAX_CSV_BYTES} bytes` });
  const body = new Uint8Array(await req.arrayBuffer());
  try {
    const ds = await importCsv(db(), artifactStore(), name, body);
    return json({ id: ds.id, name: ds.name, rows: ds.rows, columns: ds.columns.map(({ name, type }) => ({ name, type })) }, 201);
  } catch (e) {
    if (e instanceof CsvError) throw new HttpError(400, { error: e.message, line: e.line ?? null });
    throw e;
  }
});
