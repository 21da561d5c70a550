import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api } from "../api/client";
import type { ModuleInfo } from "../api/types";
import { useApi } from "../api/useApi";
import { useProgress } from "../api/useProgress";
import { useAuth } from "../auth/AuthContext";
import { CountersInline } from "../components/Counters";
import { PageHeader } from "../components/Layout";
import { EmptyState, ErrorState, Loading, Notice } from "../components/States";
import { Badge, StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatRelative, shortId } from "../format";

export function ModulesPage() {
  const { can } = useAuth();
  const modules = useApi(api.modules, "modules");
  const navigate = useNavigate();
  const [busy, setBusy] = useState<string>();
  const [notice, setNotice] = useState<{ tone: "success" | "danger"; text: string }>();
  const [, setTick] = useState(0);

  // "Next run in 4 min" stays true without reading again.
  useEffect(() => {
    const timer = window.setInterval(() => setTick((t) => t + 1), 15_000);
    return () => window.clearInterval(timer);
  }, []);

  // A run that starts or ends (by schedule or from elsewhere) changes a module's state: read again when it does.
  const runningIds = new Set((modules.data ?? []).flatMap((m) => (m.running ? [m.running.runId] : [])));
  useProgress(null, (progress) => {
    if ((progress.status === "Running") !== runningIds.has(progress.runId)) modules.reload();
  });

  async function runNow(module: ModuleInfo) {
    setBusy(module.id);
    setNotice(undefined);
    try {
      const run = await api.startRun(module.id);
      navigate(`/runs/${encodeURIComponent(run.runId)}`);
    } catch (e) {
      setNotice({ tone: "danger", text: e instanceof Error ? e.message : String(e) });
      setBusy(undefined);
    }
  }

  async function setPaused(module: ModuleInfo, paused: boolean) {
    setBusy(module.id);
    setNotice(undefined);
    try {
      // Pausing keeps an operator's expression if there is one; null falls back to the settings' schedule.
      const expression = module.schedule?.source === "operator" ? module.schedule.expression : null;
      await api.changeSchedule(module.id, { expression, paused });
      setNotice({ tone: "success", text: `${module.title}: schedule ${paused ? "disabled" : "enabled"}.` });
      modules.reload();
    } catch (e) {
      setNotice({ tone: "danger", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <>
      <PageHeader
        title="Modules"
        description="Each module keeps one kind of record in sync between iVvy and the CRM, on its schedule."
        actions={
          <button type="button" className="btn" onClick={modules.reload} disabled={modules.loading}>
            Refresh
          </button>
        }
      />
      {notice && (
        <Notice tone={notice.tone} onDismiss={() => setNotice(undefined)}>
          {notice.text}
        </Notice>
      )}
      {modules.error && !modules.data ? (
        <ErrorState error={modules.error} onRetry={modules.reload} what="the modules" />
      ) : !modules.data ? (
        <Loading what="modules" />
      ) : modules.data.length === 0 ? (
        <EmptyState title="No modules are published.">
          Publish a module's definition (<code>ivvy-workflows publish MODULE VERSION</code>) and it appears here.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Modules, their schedules and last runs</caption>
            <thead>
              <tr>
                <th scope="col">Module</th>
                <th scope="col">State</th>
                <th scope="col" className="hide-narrow">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                {can("operate") && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {modules.data.map((module) => (
                <tr key={module.id} data-module={module.id}>
                  <td>
                    <div className="cell-title">{module.title}</div>
                    <div className="cell-sub">
                      <code>{module.id}</code> · v{module.version}
                      {module.dependsOn.length > 0 && <> · after {module.dependsOn.join(", ")}</>}
                    </div>
                  </td>
                  <td>
                    <ModuleState module={module} />
                  </td>
                  <td className="hide-narrow">
                    {module.schedule ? (
                      <>
                        <code>{module.schedule.expression}</code>
                        <div className="cell-sub">{module.schedule.source === "operator" ? "set from the console" : "from settings"}</div>
                      </>
                    ) : (
                      <span className="muted">Not scheduled</span>
                    )}
                  </td>
                  <td>
                    {module.schedule?.nextDueAt && !module.schedule.paused ? (
                      <>
                        <div>{formatRelative(module.schedule.nextDueAt)}</div>
                        <div className="cell-sub">{formatDateTime(module.schedule.nextDueAt)}</div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {module.schedule?.lastSkipReason && (
                      <div className="cell-sub warn" title={formatDateTime(module.schedule.lastSkippedAt)}>
                        Skipped: {module.schedule.lastSkipReason}
                      </div>
                    )}
                  </td>
                  <td>
                    {module.lastRun ? (
                      <>
                        <Link to={`/runs/${encodeURIComponent(module.lastRun.runId)}`} className="run-link">
                          <StatusBadge status={module.lastRun.status} /> <span className="mono">{shortId(module.lastRun.runId)}</span>
                        </Link>
                        <div className="cell-sub">
                          {formatRelative(module.lastRun.finishedAt ?? module.lastRun.startedAt)} ·{" "}
                          <CountersInline counters={module.lastRun.counters} />
                        </div>
                      </>
                    ) : (
                      <span className="muted">Never run</span>
                    )}
                  </td>
                  {can("operate") && (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="btn btn-primary btn-sm"
                        disabled={busy === module.id || module.running !== null}
                        onClick={() => void runNow(module)}
                        aria-label={`Run now: ${module.title}`}
                      >
                        Run now
                      </button>
                      {module.schedule && (
                        <button
                          type="button"
                          className="btn btn-sm"
                          disabled={busy === module.id}
                          onClick={() => void setPaused(module, !module.schedule!.paused)}
                          aria-label={`${module.schedule.paused ? "Enable" : "Disable"} the schedule of ${module.title}`}
                        >
                          {module.schedule.paused ? "Enable" : "Disable"}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ModuleState({ module }: { module: ModuleInfo }) {
  if (module.running) {
    return (
      <Link to={`/runs/${encodeURIComponent(module.running.runId)}`}>
        <StatusBadge status="Running" />
      </Link>
    );
  }
  if (!module.enabled) return <Badge tone="neutral">Not enabled</Badge>;
  if (module.schedule?.paused) return <Badge tone="warning">Schedule disabled</Badge>;
  return <Badge tone="success">Enabled</Badge>;
}
