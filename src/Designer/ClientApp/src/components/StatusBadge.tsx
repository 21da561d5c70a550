import type { RunStatus } from "../api/types";

const tone: Record<RunStatus, string> = {
  Running: "info",
  Completed: "success",
  CompletedWithErrors: "warning",
  Failed: "danger",
  Terminated: "neutral",
};

export function StatusBadge({ status, label }: { status: RunStatus; label?: string }) {
  return (
    <span className={`badge badge-${tone[status] ?? "neutral"}`}>
      {status === "Running" && <span className="pulse" aria-hidden="true" />}
      {label ?? (status === "CompletedWithErrors" ? "Completed with errors" : status)}
    </span>
  );
}

export function Badge({ tone: t, children }: { tone: "info" | "success" | "danger" | "neutral" | "warning"; children: React.ReactNode }) {
  return <span className={`badge badge-${t}`}>{children}</span>;
}
