import { Link, useSearchParams } from "react-router";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { PageHeader } from "../components/Layout";
import { Pager } from "../components/Pager";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { Badge } from "../components/StatusBadge";
import { formatDateTime, shortId } from "../format";

const pageSize = 50;

export function ConflictsPage() {
  const [params, setParams] = useSearchParams();
  const module = params.get("module") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;
  const modules = useApi(api.modules, "modules");
  const conflicts = useApi(() => api.conflicts({ module, page, pageSize }), `${module}:${page}`);

  return (
    <>
      <PageHeader
        title="Conflicts"
        description="Records changed on both sides since they were last synced: both values, and which side the module's conflict policy chose."
      />
      <form className="filters" aria-label="Filter conflicts" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="c-module">Module</label>
          <select id="c-module" value={module} onChange={(e) => setParams(e.target.value ? { module: e.target.value } : {}, { replace: true })}>
            <option value="">All modules</option>
            {modules.data?.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title}
              </option>
            ))}
          </select>
        </div>
      </form>
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
            total={conflicts.data.total}
            label="Conflicts pages"
            onPage={(p) => setParams(module ? { module, page: String(p) } : { page: String(p) })}
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
