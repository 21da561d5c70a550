import { useEffect, useRef } from "react";
import type { RunProgress } from "./types";

/**
 * Live progress pushed by the server (server-sent events): of one run when `runId` is given, else of every running run. `onProgress` gets each event; `onClosed` is told when the stream ends (a single run's stream ends
 * when the run leaves Running), so the page can read the final state and, if still running, subscribe again by
 * changing `generation`.
 */
export function useProgress(
  runId: string | null,
  onProgress: (progress: RunProgress) => void,
  options: { enabled?: boolean; generation?: number; onClosed?: () => void } = {},
): void {
  const { enabled = true, generation = 0 } = options;
  const handlers = useRef({ onProgress, onClosed: options.onClosed });
  handlers.current = { onProgress, onClosed: options.onClosed };

  useEffect(() => {
    if (!enabled) return;
    const url = runId ? `/api/runs/${encodeURIComponent(runId)}/progress` : "/api/progress";
    const source = new EventSource(url, { withCredentials: true });
    // One run's stream sends `progress` (a RunProgress); the all-runs stream sends `runs` (every running run's
    // RunProgress, and a run that just ended with its final state).
    source.addEventListener("progress", (event) => {
      handlers.current.onProgress(JSON.parse((event as MessageEvent<string>).data) as RunProgress);
    });
    source.addEventListener("runs", (event) => {
      for (const progress of JSON.parse((event as MessageEvent<string>).data) as RunProgress[]) handlers.current.onProgress(progress);
    });
    source.onerror = () => {
      // EventSource would reconnect by itself; a closed stream is handed back to the page instead, which knows whether
      // there is anything left to watch.
      source.close();
      handlers.current.onClosed?.();
    };
    return () => source.close();
  }, [runId, enabled, generation]);
}
