import type { RunProgress } from "../api/types";
import { formatNumber, formatSpan } from "../format";

/** The run's bar: done against read-so-far plus what open windows still hold; indeterminate until a window says its size. */
export function ProgressBar({ progress, label }: { progress: RunProgress; label: string }) {
  const percent = progress.percent == null ? null : Math.max(0, Math.min(100, progress.percent));
  const done = progress.counters.read;
  const running = progress.status === "Running";
  return (
    <div className="progress">
      <div
        className={`progress-track${percent == null && running ? " indeterminate" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent == null ? undefined : Math.round(percent)}
        aria-valuetext={percent == null ? `${formatNumber(done)} records read` : `${percent.toFixed(0)}%`}
      >
        <div
          className={`progress-fill progress-${progress.status.toLowerCase()}`}
          style={{ width: `${percent ?? (running ? 0 : 100)}%` }}
        />
      </div>
      <div className="progress-meta">
        <span>
          <strong>{percent == null ? "—" : `${percent.toFixed(1)}%`}</strong> · {formatNumber(done)}
          {progress.total != null && <> of {formatNumber(progress.total)}</>} records
        </span>
        <span>{progress.recordsPerSecond > 0 ? `${progress.recordsPerSecond.toFixed(1)} records/s` : ""}</span>
        <span data-testid="eta">
          {running ? (progress.etaSeconds == null ? "ETA —" : `ETA ${formatSpan(progress.etaSeconds)}`) : ""}
        </span>
      </div>
    </div>
  );
}
