import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";
import { ListControls } from "~/components/ui/list-controls";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { listQueryOf, searchAndSort, type SearchParams } from "~/lib/list-query";
import { DatasetActions } from "~/components/datasets/dataset-actions";
import { UploadWizard } from "~/components/datasets/upload-wizard";
import { listDatasets } from "~/server/datasets/service";

export const dynamic = "force-dynamic";

const SORTS = { newest: "newest upload", name: "name", rows: "most rows" } as const;

export default async function DatasetsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { workspaceId, principal, role } = await pageAccess("read", "/datasets");
  const all = await listDatasets(db(), workspaceId);
  const query = listQueryOf(await searchParams, ["newest", "name", "rows"] as const);
  const datasets = searchAndSort(all, query, {
    newest: (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
    // Versions of one name stay in upload order under it.
    name: (a, b) => a.name.localeCompare(b.name) || a.version - b.version,
    rows: (a, b) => b.rows - a.rows,
  });
  const editor = can(principal, "edit", role);
  return (
    <Page title="Datasets">
      {editor && <UploadWizard />}
      {all.length > 0 && <ListControls label="datasets" query={query} sorts={SORTS} />}
      {all.length === 0 ? (
        <Empty>No datasets yet.</Empty>
      ) : datasets.length === 0 ? (
        <Empty>No dataset name contains “{query.q}”.</Empty>
      ) : (
        <table className={tableClass}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Rows</th>
              <th>Columns</th>
              <th>Id</th>
              {editor && <th />}
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <tr key={d.id}>
                <td>
                  {d.name}
                  {d.versions > 1 && (
                    <span className="ml-1 text-xs text-slate-500">
                      v{d.version}
                      {d.version === d.versions ? " · latest" : ""}
                    </span>
                  )}
                </td>
                <td>{d.rows}</td>
                <td className="font-mono text-xs">
                  {d.columns.map((c) => `${c.name}:${c.kind ?? c.type}${c.nullable ? "?" : ""}${c.role && c.role !== "feature" ? ` (${c.role})` : ""}`).join(", ")}
                  {(d.source?.warnings ?? []).length > 0 && <div className="mt-1 font-sans text-[11px] text-amber-700">{d.source!.warnings.map((w) => w.message).join(" · ")}</div>}
                </td>
                <td className="font-mono text-xs text-slate-400">{d.id}</td>
                {editor && (
                  <td>
                    <DatasetActions id={d.id} name={d.name} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
