const number = new Intl.NumberFormat("en");
const dateTime = new Intl.DateTimeFormat("en-AU", { dateStyle: "medium", timeStyle: "medium" });

export const formatNumber = (value: number | null | undefined): string => (value == null ? "—" : number.format(value));

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/** "in 4 min", "12 s ago": relative to now, for schedules and recent runs. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const text = formatSpan(Math.abs(seconds));
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

export function formatSpan(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function formatDuration(startIso: string, endIso: string | null | undefined, now = Date.now()): string {
  const end = endIso ? new Date(endIso).getTime() : now;
  return formatSpan((end - new Date(startIso).getTime()) / 1000);
}

export const shortId = (runId: string): string => (runId.length > 12 ? `${runId.slice(0, 8)}…` : runId);
