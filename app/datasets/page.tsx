import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { DatasetActions } from "~/components/datasets/dataset-actions";
import { UploadWizard } from "~/components/datasets/upload-wizard";
import { listDatasets } from "~/server/datasets/service";

export const dynamic = "force-dynamic";

export default async function DatasetsPage() {
  const { workspaceId, principal, role } = await pageAccess("read", "/datasets");
  const datasets = await listDatasets(db(), workspaceId);
  const editor = can(principal, "edit", role);
  return (
    <Page title="Datasets">
      {editor && <UploadWizard />}
      {datasets.length === 0 ? (
        <Empty>No datasets yet.</Empty>
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
