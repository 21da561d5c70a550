import { Link } from "react-router";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { FilterBar, FilterSelect, useUrlFilters } from "../components/Filters";
import { PageHeader } from "../components/Layout";
import { Pager } from "../components/Pager";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { Badge } from "../components/StatusBadge";
import { formatDateTime, shortId } from "../format";

const pageSize = 50;

export function ConflictsPage() {
  const filters = useUrlFilters(["module"]);
  const { module } = filters.values;
  const page = filters.page;
  const modules = useApi(api.modules, "modules");
  const conflicts = useApi(() => api.conflicts({ module, page, pageSize }), `${module}:${page}`);

  return (
    <>
      <PageHeader
        title="Conflicts"
        description="Records changed on both sides since they were last synced: both values, and which side the module's conflict policy chose."
      />
      <FilterBar label="Filter conflicts" filtered={filters.filtered} onClear={filters.clear}>
        <FilterSelect id="c-module" label="Module" all="All modules" value={module} onChange={(v) => filters.set("module", v)}
          options={modules.data?.map((m) => ({ value: m.id, label: m.title }))} />
      </FilterBar>
      {conflicts.error && !conflicts.data ? (
        <ErrorState error={conflicts.error} onRetry={conflicts.reload} what="the conflicts" />
      ) : !conflicts.data ? (
        <Loading what="conflicts" />
      ) : conflicts.data.total === 0 ? (
        <EmptyState title="No conflicts.">No record has been changed in both systems between two syncs{module ? ` in ${module}` : ""}.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Conflicts</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Record</th>
                  <th scope="col">iVvy value</th>
                  <th scope="col">CRM value</th>
                  <th scope="col">Winner</th>
                </tr>
              </thead>
              <tbody>
                {conflicts.data.items.map((c) => (
                  <tr key={`${c.module}:${c.ivvyId}:${c.at}`}>
                    <td>
                      {formatDateTime(c.at)}
                      <div className="cell-sub">
                        run{" "}
                        <Link to={`/runs/${encodeURIComponent(c.runId)}`} className="mono">
                          {shortId(c.runId)}
                        </Link>
                      </div>
                    </td>
                    <td>
                      {c.module}
                      <div className="cell-sub mono">
                        iVvy {c.ivvyId} ⇄ CRM {c.crmId}
                      </div>
                    </td>
                    <td>
                      <ValueView value={c.ivvyValue} highlight={c.winner === "ivvy"} />
                    </td>
                    <td>
                      <ValueView value={c.crmValue} highlight={c.winner !== "ivvy"} />
                    </td>
                    <td>
                      <Badge tone="info">{c.winner}</Badge>
                      <div className="cell-sub">{c.policy}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={conflicts.data.page}
            pageSize={conflicts.data.pageSize}
            total={conflicts.data.total ?? 0}
            label="Conflicts pages"
            onPage={filters.setPage}
          />
        </>
      )}
    </>
  );
}

function ValueView({ value, highlight }: { value: unknown; highlight: boolean }) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 1);
  return <pre className={`value${highlight ? " value-winner" : ""}`}>{text}</pre>;
}
