import { useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../api/client";
import type { RunAction, RunCounters, RunDetail, RunProgress } from "../api/types";
import { useApi } from "../api/useApi";
import { useProgress } from "../api/useProgress";
import { useAuth } from "../auth/AuthContext";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CounterTiles } from "../components/Counters";
import { PageHeader } from "../components/Layout";
import { Pager } from "../components/Pager";
import { ProgressBar } from "../components/ProgressBar";
import { EmptyState, ErrorState, Loading, Notice } from "../components/States";
import { Badge, StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatDuration, formatNumber } from "../format";

const actionLabels: Record<RunAction, string> = { resume: "Resume", restart: "Restart", terminate: "Terminate" };

export function RunDetailPage() {
  const { runId = "" } = useParams();
  const { can } = useAuth();
  const navigate = useNavigate();
  const run = useApi(() => api.run(runId), runId);
  const [live, setLive] = useState<RunProgress>();
  // Streams and API calls are part of the detail, not of a progress event: read it again as pages commit, at most every 2 s.
  const lastRead = useRef(0);
  const [generation, setGeneration] = useState(0);
  const [busy, setBusy] = useState(false);
  const [confirmTerminate, setConfirmTerminate] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "danger"; text: string }>();

  const detail = run.data;
  const running = detail?.status === "Running";
  useProgress(
    runId,
    (progress) => {
      setLive(progress);
      if (progress.status !== detail?.status || Date.now() - lastRead.current > 2000) {
        lastRead.current = Date.now();
        run.reload();
      }
    },
    {
      enabled: running,
      generation,
      onClosed: () => {
        // The stream ends when the run leaves Running (or the connection dropped): read where it stands now.
        run.reload();
        setGeneration((g) => g + 1);
      },
    },
  );

  async function act(action: RunAction) {
    setBusy(true);
    setNotice(undefined);
    try {
      const result = await api[action](runId);
      setLive(undefined);
      if (result.runId !== runId) {
        // Restart starts a new run from the module's last committed cursor.
        navigate(`/runs/${encodeURIComponent(result.runId)}`);
        return;
      }
      setNotice({ tone: "success", text: `${actionLabels[action]}: done.` });
      run.reload();
      setGeneration((g) => g + 1);
    } catch (e) {
      setNotice({ tone: "danger", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  }

  if (run.error && !detail) {
    return (
      <>
        <PageHeader title="Run" />
        <ErrorState error={run.error} onRetry={run.reload} what={`run ${runId}`} />
      </>
    );
  }
  if (!detail) return <Loading what="the run" />;

  const progress = live && live.runId === detail.runId && running ? live : detail.progress;
  const counters = running && live ? live.counters : detail.counters;
  const actions = can("operate") ? detail.actions : [];

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">Runs</Link> <span aria-hidden="true">/</span> <span className="mono">{detail.runId}</span>
      </nav>
      <PageHeader
        title={`${detail.module} run`}
        description={
          <>
            <StatusBadge status={detail.status} /> <span className="mono">{detail.runId}</span> · definition v{detail.version}
            {detail.dryRun && <Badge tone="info">dry run</Badge>}
            {detail.replay && <Badge tone="neutral">replay</Badge>}
          </>
        }
        actions={actions.map((action) => (
          <button
            key={action}
            type="button"
            className={`btn ${action === "terminate" ? "btn-danger" : action === "resume" ? "btn-primary" : ""}`}
            disabled={busy}
            onClick={() => (action === "terminate" ? setConfirmTerminate(true) : void act(action))}
          >
            {actionLabels[action]}
          </button>
        ))}
      />
      {notice && (
        <Notice tone={notice.tone} onDismiss={() => setNotice(undefined)}>
          {notice.text}
        </Notice>
      )}

      {detail.failure && detail.status !== "Running" && <FailurePanel detail={detail} />}

      <section className="card" aria-labelledby="progress-heading">
        <div className="card-header">
          <h2 id="progress-heading">Progress</h2>
          <span className="muted">
            Started {formatDateTime(detail.startedAt)} · {detail.finishedAt ? `took ${formatDuration(detail.startedAt, detail.finishedAt)}` : `running for ${formatDuration(detail.startedAt, null)}`}
            {detail.attempt > 1 && <> · attempt {detail.attempt}</>}
          </span>
        </div>
        <ProgressBar progress={{ ...progress, status: detail.status }} label={`Progress of run ${detail.runId}`} />
        <CounterTiles counters={counters} />
      </section>

      <div>
        <section className="card" aria-labelledby="streams-heading">
          <h2 id="streams-heading">Streams</h2>
          {detail.streams.length === 0 ? (
            <EmptyState title="No stream has started yet." />
          ) : (
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Stream</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Read in window
                  </th>
                  {streamCounters.map(([key, label]) => (
                    <th key={key} scope="col" className="num">
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {detail.streams.map((s) => (
                  <tr key={s.stream} data-stream={s.stream}>
                    <td>
                      <code>{s.stream}</code>
                    </td>
                    <td>{s.complete ? <Badge tone="success">done</Badge> : s.started ? <Badge tone="info">reading</Badge> : <Badge tone="neutral">waiting</Badge>}</td>
                    <td className="num">
                      {s.offset == null ? "—" : formatNumber(s.offset)}
                      {s.total != null && <> / {formatNumber(s.total)}</>}
                    </td>
                    {streamCounters.map(([key]) => (
                      <td key={key} className="num" data-counter={key}>
                        {formatNumber(s.counters[key])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="calls-heading">
          <h2 id="calls-heading">API calls</h2>
          <ApiCalls calls={detail.apiCalls} />
        </section>
      </div>

      {detail.dryRun && <Plan runId={detail.runId} />}

      <ConfirmDialog
        open={confirmTerminate}
        title="Terminate this run?"
        confirmLabel="Terminate run"
        danger
        onCancel={() => setConfirmTerminate(false)}
        onConfirm={() => {
          setConfirmTerminate(false);
          void act("terminate");
        }}
      >
        <p>
          The run stops after the page in hand. What it committed stays, and <strong>Resume</strong> continues it from there.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** The per-stream counters the streams table shows, in the order of the run's counter tiles. */
const streamCounters: [keyof RunCounters, string][] = [
  ["read", "Read"],
  ["created", "Created"],
  ["updated", "Updated"],
  ["unchanged", "Unchanged"],
  ["quarantined", "Quarantined"],
];

function FailurePanel({ detail }: { detail: RunDetail }) {
  const failure = detail.failure!;
  const terminated = detail.status === "Terminated";
  return (
    <section className={`failure ${terminated ? "failure-neutral" : ""}`} aria-labelledby="failure-heading" data-testid="failure">
      <h2 id="failure-heading">{terminated ? "This run was terminated" : "This run failed"}</h2>
      {(failure.stage || failure.errorClass) && (
        <dl className="facts">
          <dt>Stage</dt>
          <dd data-testid="failure-stage">
            <code>{failure.stage ?? "—"}</code>
          </dd>
          <dt>Error class</dt>
          <dd data-testid="failure-class">
            <code>{failure.errorClass ?? "—"}</code>
          </dd>
        </dl>
      )}
      <p className="failure-message" data-testid="failure-message">{failure.message}</p>
      <div className="failure-advice">
        <h3>What to do</h3>
        <p>{failure.advice}</p>
      </div>
    </section>
  );
}

function ApiCalls({ calls }: { calls: Record<string, number> }) {
  const entries = Object.entries(calls).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <EmptyState title="No API calls yet." />;
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return (
    <table className="table table-compact">
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          <th scope="col" className="num">
            Calls
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([endpoint, count]) => (
          <tr key={endpoint}>
            <td>
              <code>{endpoint}</code>
            </td>
            <td className="num">{formatNumber(count)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td className="num">{formatNumber(total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function Plan({ runId }: { runId: string }) {
  const [page, setPage] = useState(1);
  const [action, setAction] = useState("");
  const plan = useApi(() => api.plan(runId, { page, pageSize: 50, action }), `${runId}:${page}:${action}`);
  return (
    <section className="card" aria-labelledby="plan-heading">
      <div className="card-header">
        <h2 id="plan-heading">What this dry run would do</h2>
        <div className="field field-inline">
          <label htmlFor="plan-action">Action</label>
          <select
            id="plan-action"
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              setPage(1);
            }}
          >
            <option value="">Any</option>
            <option value="create">create</option>
            <option value="update">update</option>
            <option value="skip">skip</option>
          </select>
        </div>
      </div>
      {plan.error && !plan.data ? (
        <ErrorState error={plan.error} onRetry={plan.reload} what="the plan" />
      ) : !plan.data ? (
        <Loading what="the plan" />
      ) : plan.data.total === 0 ? (
        <EmptyState title="Nothing planned." />
      ) : (
        <>
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Record</th>
                <th scope="col">Action</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {plan.data.items.map((item) => (
                <tr key={`${item.stream}:${item.sourceId}`}>
                  <td>
                    <code>{item.stream}</code>
                  </td>
                  <td className="mono">{item.sourceId}</td>
                  <td>{item.action}</td>
                  <td>{item.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={plan.data.page} pageSize={plan.data.pageSize} total={plan.data.total ?? 0} onPage={setPage} label="Plan pages" />
        </>
      )}
    </section>
  );
}
