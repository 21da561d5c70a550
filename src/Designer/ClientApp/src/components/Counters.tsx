import type { RunCounters } from "../api/types";
import { formatNumber } from "../format";

/** One sign per counter in tables (the full word is its tooltip and what a screen reader says). */
const short: Partial<Record<keyof RunCounters, string>> = { read: "R", created: "C", updated: "U", unchanged: "=", quarantined: "Q" };

const order: [keyof RunCounters, string][] = [
  ["read", "Read"],
  ["created", "Created"],
  ["updated", "Updated"],
  ["unchanged", "Unchanged"],
  ["quarantined", "Quarantined"],
];

/** A run's committed counters, compact (one line in a table). */
export function CountersInline({ counters }: { counters: RunCounters }) {
  return (
    <span className="counters-inline">
      {order.map(([key, label]) => (
        <span key={key} title={label} className={key === "quarantined" && counters.quarantined > 0 ? "warn" : undefined}>
          <span className="counter-key" aria-hidden="true">{short[key]}</span>
          <span className="sr-only">{label}</span> {formatNumber(counters[key])}
        </span>
      ))}
    </span>
  );
}

/** The counters as tiles (run detail). */
export function CounterTiles({ counters }: { counters: RunCounters }) {
  return (
    <dl className="tiles">
      {[...order, ["pages", "Pages"] as [keyof RunCounters, string]].map(([key, label]) => (
        <div key={key} className={`tile${key === "quarantined" && counters.quarantined > 0 ? " tile-warn" : ""}`}>
          <dt>{label}</dt>
          <dd data-testid={`counter-${key}`}>{formatNumber(counters[key])}</dd>
        </div>
      ))}
    </dl>
  );
}
