import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import type { RunProgress } from "../api/types";
import { useApi } from "../api/useApi";
import { useProgress } from "../api/useProgress";
import { CountersInline } from "../components/Counters";
import { FilterBar, FilterSelect, useUrlFilters } from "../components/Filters";
import { PageHeader } from "../components/Layout";
import { KeysetPager, useKeysetPages } from "../components/Pager";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { Badge, StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatDuration, shortId } from "../format";

const statuses = ["Running", "Completed", "CompletedWithErrors", "Failed", "Terminated"];
const pageSize = 25;

export function RunsPage() {
  const filters = useUrlFilters(["module", "status", "kind"]);
  const { module, status, kind } = filters.values;
  const filtered = filters.filtered;
  const pages = useKeysetPages(JSON.stringify(filters.values));
  const page = pages.page;

  const modules = useApi(api.modules, "modules");
  const query = { module, status, dryRun: kind === "dry" ? true : kind === "live" ? false : undefined, pageSize, after: pages.after };
  const runs = useApi(() => api.runs(query), JSON.stringify(query));
  const [live, setLive] = useState<Record<string, RunProgress>>({});

  useProgress(null, (progress) => {
    setLive((current) => ({ ...current, [progress.runId]: progress }));
    const known = runs.data?.items.find((r) => r.runId === progress.runId);
    // A run that started or ended changes which rows the filters match: read the page again.
    if (!known ? progress.status === "Running" && page === 1 : known.status !== progress.status) runs.reload();
  });

  return (
    <>
      <PageHeader title="Runs" description="Every run of every module, newest first. Running rows move as pages commit." />
      <FilterBar label="Filter runs" filtered={filtered} onClear={filters.clear}>
        <FilterSelect id="filter-module" label="Module" all="All modules" value={module} onChange={(v) => filters.set("module", v)}
          options={modules.data?.map((m) => ({ value: m.id, label: m.title }))} />
        <FilterSelect id="filter-status" label="Status" all="Any status" value={status} onChange={(v) => filters.set("status", v)}
          options={statuses.map((s) => ({ value: s, label: s === "CompletedWithErrors" ? "Completed with errors" : s }))} />
        <FilterSelect id="filter-kind" label="Kind" all="Runs and dry runs" value={kind} onChange={(v) => filters.set("kind", v)}
          options={[{ value: "live", label: "Runs only" }, { value: "dry", label: "Dry runs only" }]} />
      </FilterBar>

      {runs.error && !runs.data ? (
        <ErrorState error={runs.error} onRetry={runs.reload} what="the runs" />
      ) : !runs.data ? (
        <Loading what="runs" />
      ) : runs.data.items.length === 0 && page === 1 ? (
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
          <KeysetPager pages={pages} list={runs.data} label="Runs pages" />
        </>
      )}
    </>
  );
}
