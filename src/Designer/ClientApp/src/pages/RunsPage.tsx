import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client";
import type { RunProgress } from "../api/types";
import { useApi } from "../api/useApi";
import { useProgress } from "../api/useProgress";
import { CountersInline } from "../components/Counters";
import { PageHeader } from "../components/Layout";
import { Pager } from "../components/Pager";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { Badge, StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatDuration, shortId } from "../format";

const statuses = ["Running", "Completed", "Failed", "Terminated"];
const pageSize = 25;

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const module = params.get("module") ?? "";
  const status = params.get("status") ?? "";
  const kind = params.get("kind") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;

  const modules = useApi(api.modules, "modules");
  const query = { module, status, dryRun: kind === "dry" ? true : kind === "live" ? false : undefined, page, pageSize };
  const runs = useApi(() => api.runs(query), JSON.stringify(query));
  const [live, setLive] = useState<Record<string, RunProgress>>({});

  useProgress(null, (progress) => {
    setLive((current) => ({ ...current, [progress.runId]: progress }));
    const known = runs.data?.items.find((r) => r.runId === progress.runId);
    // A run that started or ended changes which rows the filters match: read the page again.
    if (!known ? progress.status === "Running" && page === 1 : known.status !== progress.status) runs.reload();
  });

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete("page");
    setParams(next, { replace: true });
  }

  const filtered = Boolean(module || status || kind);

  return (
    <>
      <PageHeader title="Runs" description="Every run of every module, newest first. Running rows move as pages commit." />
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="filter-module">Module</label>
          <select id="filter-module" value={module} onChange={(e) => setFilter("module", e.target.value)}>
            <option value="">All modules</option>
            {modules.data?.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">Any status</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-kind">Kind</label>
          <select id="filter-kind" value={kind} onChange={(e) => setFilter("kind", e.target.value)}>
            <option value="">Runs and dry runs</option>
            <option value="live">Runs only</option>
            <option value="dry">Dry runs only</option>
          </select>
        </div>
        {filtered && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </button>
        )}
      </form>

      {runs.error && !runs.data ? (
        <ErrorState error={runs.error} onRetry={runs.reload} what="the runs" />
      ) : !runs.data ? (
        <Loading what="runs" />
      ) : runs.data.total === 0 ? (
        <EmptyState title={filtered ? "No run matches these filters." : "No runs yet."}>
          {filtered ? "Clear the filters to see every run." : "Start one from the Modules page, or wait for a module's schedule."}
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-busy={runs.loading}>
              <caption className="sr-only">Runs</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Module</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-narrow">Started</th>
                  <th scope="col" className="hide-narrow">Duration</th>
                  <th scope="col">Counts</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.items.map((run) => {
                  const progress = live[run.runId];
                  const counters = progress && run.status === "Running" ? progress.counters : run.counters;
                  return (
                    <tr key={run.runId} data-run={run.runId}>
                      <td>
                        <Link to={`/runs/${encodeURIComponent(run.runId)}`} className="mono">
                          {shortId(run.runId)}
                        </Link>
                        {run.dryRun && <Badge tone="info">dry run</Badge>}
                        {run.replay && <Badge tone="neutral">replay</Badge>}
                      </td>
                      <td>
                        {run.module} <span className="muted">v{run.version}</span>
                      </td>
                      <td>
                        <StatusBadge status={run.status} />
                        {run.status === "Running" && progress?.percent != null && (
                          <span className="cell-sub"> {progress.percent.toFixed(0)}%</span>
                        )}
                        {run.error && (
                          <div className="cell-sub danger truncate" title={run.error}>
                            {run.error}
                          </div>
                        )}
                      </td>
                      <td className="hide-narrow">{formatDateTime(run.startedAt)}</td>
                      <td className="hide-narrow">{formatDuration(run.startedAt, run.finishedAt)}</td>
                      <td>
                        <CountersInline counters={counters} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager
            page={runs.data.page}
            pageSize={runs.data.pageSize}
            total={runs.data.total}
            label="Runs pages"
            onPage={(p) => {
              const next = new URLSearchParams(params);
              next.set("page", String(p));
              setParams(next);
            }}
          />
        </>
      )}
    </>
  );
}
