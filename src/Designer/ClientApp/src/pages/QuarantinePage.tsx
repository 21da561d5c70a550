import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import type { FacetCount, QuarantineKey, QuarantineListItem, RunDetail } from "../api/types";
import { useApi } from "../api/useApi";
import { useAuth } from "../auth/AuthContext";
import { FilterBar, FilterSelect, useUrlFilters } from "../components/Filters";
import { PageHeader } from "../components/Layout";
import { KeysetPager, useKeysetPages } from "../components/Pager";
import { EmptyState, ErrorState, Loading, Notice } from "../components/States";
import { formatDateTime, formatNumber, shortId } from "../format";

const pageSize = 50;
const keyOf = (item: QuarantineKey & { module: string }) => `${item.module}\u0000${item.stream}\u0000${item.sourceId}`;

export function QuarantinePage() {
  const { can } = useAuth();
  const filters = useUrlFilters(["module", "stage", "reason"]);
  const { module, stage, reason } = filters.values;
  const pages = useKeysetPages(JSON.stringify(filters.values));

  const query = { module, stage, reason, pageSize, after: pages.after };
  const list = useApi(() => api.quarantine(query), JSON.stringify(query));
  const total = pages.totalOf(list.data);
  const facets = useApi(() => api.quarantineFacets(module || undefined), `facets:${module}:${total ?? ""}`);
  const [selected, setSelected] = useState<Map<string, QuarantineListItem>>(new Map());
  const [viewing, setViewing] = useState<QuarantineListItem>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "danger"; text: string; runs?: RunDetail[] }>();

  function setFilter(name: "module" | "stage" | "reason", value: string) {
    filters.set(name, value);
    setSelected(new Map());
  }

  function toggle(item: QuarantineListItem) {
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(keyOf(item))) next.delete(keyOf(item));
      else next.set(keyOf(item), item);
      return next;
    });
  }

  async function replay(records: QuarantineListItem[] | null) {
    setBusy(true);
    setNotice(undefined);
    try {
      // Replay runs per module: group the selection by module (one replay run each).
      const byModule = new Map<string, QuarantineKey[] | null>();
      if (records === null) byModule.set(module, null);
      else for (const r of records) byModule.set(r.module, [...(byModule.get(r.module) ?? []), { stream: r.stream, sourceId: r.sourceId }]);
      const runs: RunDetail[] = [];
      for (const [m, keys] of byModule) runs.push(await api.replay({ module: m, records: keys }));
      const count = records === null ? formatNumber(total ?? 0) : formatNumber(records.length);
      setNotice({ tone: "success", text: `Replaying ${count} record${count === "1" ? "" : "s"}.`, runs });
      setSelected(new Map());
    } catch (e) {
      setNotice({ tone: "danger", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  }

  const items = list.data?.items ?? [];
  const allOnPageSelected = items.length > 0 && items.every((i) => selected.has(keyOf(i)));
  const filtered = filters.filtered;

  return (
    <>
      <PageHeader
        title="Quarantine"
        description="Records set aside with their reason while the rest of their page landed. Fix the cause (a template, a CRM setting), then replay them."
        actions={
          can("operate") && (
            <>
              <button type="button" className="btn" disabled={busy || selected.size === 0} onClick={() => void replay([...selected.values()])}>
                Replay selected{selected.size > 0 ? ` (${selected.size})` : ""}
              </button>
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy || !module || !list.data?.items.length}
                title={module ? undefined : "Choose a module to replay all of its records"}
                onClick={() => void replay(null)}
              >
                Replay all{module ? ` of ${module}` : ""}
              </button>
            </>
          )
        }
      />
      {notice && (
        <Notice tone={notice.tone} onDismiss={() => setNotice(undefined)}>
          {notice.text}{" "}
          {notice.runs?.map((run) => (
            <Link key={run.runId} to={`/runs/${encodeURIComponent(run.runId)}`} className="mono">
              Follow run {shortId(run.runId)}
            </Link>
          ))}
        </Notice>
      )}
      <FilterBar label="Filter quarantined records" filtered={filtered} onClear={filters.clear}>
        <FilterSelect id="q-module" label="Module" all="All modules" value={module} options={facetOptions(facets.data?.modules)} onChange={(v) => setFilter("module", v)} />
        <FilterSelect id="q-stage" label="Stage" all="Any stage" value={stage} options={facetOptions(facets.data?.stages)} onChange={(v) => setFilter("stage", v)} />
        <FilterSelect id="q-reason" label="Reason" all="Any reason" value={reason} options={facetOptions(facets.data?.reasons)} onChange={(v) => setFilter("reason", v)} wide />
      </FilterBar>

      {list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} what="the quarantine" />
      ) : !list.data ? (
        <Loading what="quarantined records" />
      ) : list.data.items.length === 0 && pages.page === 1 ? (
        <EmptyState title={filtered ? "No quarantined record matches these filters." : "Nothing is quarantined."}>
          {filtered ? "Clear the filters to see every record." : "Every record of every run landed."}
        </EmptyState>
      ) : (
        <div className={viewing ? "split" : undefined}>
          <div>
            <div className="table-wrap">
              <table className="table" aria-busy={list.loading}>
                <caption className="sr-only">Quarantined records</caption>
                <thead>
                  <tr>
                    {can("operate") && (
                      <th scope="col" className="cell-check">
                        <input
                          type="checkbox"
                          aria-label="Select every record on this page"
                          checked={allOnPageSelected}
                          onChange={() =>
                            setSelected((current) => {
                              const next = new Map(current);
                              for (const i of items) {
                                if (allOnPageSelected) next.delete(keyOf(i));
                                else next.set(keyOf(i), i);
                              }
                              return next;
                            })
                          }
                        />
                      </th>
                    )}
                    <th scope="col">Record</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Attempts
                    </th>
                    <th scope="col" className="hide-narrow">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => {
                    const key = keyOf(item);
                    const label = `${item.module}/${item.stream} record ${item.sourceId}`;
                    return (
                      <tr key={key} className={viewing && keyOf(viewing) === key ? "selected" : undefined} data-record={item.sourceId}>
                        {can("operate") && (
                          <td className="cell-check">
                            <input type="checkbox" aria-label={`Select ${label}`} checked={selected.has(key)} onChange={() => toggle(item)} />
                          </td>
                        )}
                        <td>
                          <button type="button" className="btn-link mono" onClick={() => setViewing(item)} aria-label={`View ${label}`}>
                            {item.sourceId}
                          </button>
                          <div className="cell-sub">
                            {item.module} / {item.stream}
                          </div>
                        </td>
                        <td>
                          <code>{item.stage}</code>
                        </td>
                        <td className="reason">{item.reason}</td>
                        <td className="num">{item.attempts}</td>
                        <td className="hide-narrow">{formatDateTime(item.lastSeen)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <KeysetPager pages={pages} list={list.data} label="Quarantine pages" />
          </div>
          {viewing && <RecordViewer item={viewing} onClose={() => setViewing(undefined)} />}
        </div>
      )}
    </>
  );
}

const facetOptions = (facets: FacetCount[] | undefined) => facets?.map((f) => ({ value: f.value, label: `${f.value} (${formatNumber(f.count)})` }));

function RecordViewer({ item, onClose }: { item: QuarantineListItem; onClose: () => void }) {
  const detail = useApi(() => api.quarantined(item.module, item.stream, item.sourceId), keyOf(item));
  return (
    <aside className="card viewer" aria-labelledby="viewer-heading">
      <div className="card-header">
        <h2 id="viewer-heading">
          Record <span className="mono">{item.sourceId}</span>
        </h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
          Close
        </button>
      </div>
      {detail.error && !detail.data ? (
        <ErrorState error={detail.error} onRetry={detail.reload} what="the record" />
      ) : !detail.data ? (
        <Loading what="the record" />
      ) : (
        <>
          <dl className="facts">
            <dt>Module / stream</dt>
            <dd>
              {detail.data.module} / {detail.data.stream}
            </dd>
            <dt>Stage</dt>
            <dd>
              <code>{detail.data.stage}</code>
            </dd>
            <dt>Reason</dt>
            <dd className="reason">{detail.data.reason}</dd>
            <dt>Attempts</dt>
            <dd>{detail.data.attempts}</dd>
            <dt>Last seen</dt>
            <dd>
              {formatDateTime(detail.data.lastSeen)} in run{" "}
              <Link to={`/runs/${encodeURIComponent(detail.data.runId)}`} className="mono">
                {shortId(detail.data.runId)}
              </Link>
            </dd>
          </dl>
          <h3 className="viewer-subheading">Kept payload</h3>
          <pre className="payload" tabIndex={0} aria-label="Kept payload (JSON)">
            {JSON.stringify(detail.data.payload, null, 2)}
          </pre>
        </>
      )}
    </aside>
  );
}
