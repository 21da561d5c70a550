import { useState } from "react";
import type { Page } from "../api/types";
import { formatNumber } from "../format";

/** Server paging: the page's range, previous / next. */
export function Pager({ page, pageSize, total, onPage, label }: { page: number; pageSize: number; total: number; onPage: (page: number) => void; label: string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pager" aria-label={label}>
      <span className="pager-range">
        {formatNumber(first)}–{formatNumber(last)} of {formatNumber(total)}
      </span>
      <button type="button" className="btn btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span className="pager-page" aria-current="page">
        Page {page} of {pages}
      </span>
      <button type="button" className="btn btn-sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/**
 * Keyset paging of a list the server reads by key (runs, quarantine): the `after` tokens of the pages walked to
 * (Previous goes back along them) and the total the first page counted (later pages do not count again). Starts over
 * at the first page when `resetKey` (the filters) changes.
 */
export function useKeysetPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; trail: string[]; total: number | null }>({ key: resetKey, trail: [], total: null });
  const current = state.key === resetKey ? state : { key: resetKey, trail: [], total: null };
  return {
    page: current.trail.length + 1,
    after: current.trail.length > 0 ? current.trail[current.trail.length - 1] : undefined,
    /** The list's length: the first page's count, kept on the pages after it. */
    totalOf: (list: Page<unknown> | undefined) => list?.total ?? current.total,
    next: (list: Page<unknown>) =>
      list.next && setState({ key: resetKey, trail: [...current.trail, list.next], total: list.total ?? current.total }),
    previous: () => setState({ ...current, trail: current.trail.slice(0, -1) }),
  };
}

/** Previous / next over a list read by key, with the page's range of the first page's total. */
export function KeysetPager({ pages, list, label }: { pages: ReturnType<typeof useKeysetPages>; list: Page<unknown>; label: string }) {
  const total = pages.totalOf(list);
  const first = list.items.length === 0 ? 0 : (pages.page - 1) * list.pageSize + 1;
  const last = (pages.page - 1) * list.pageSize + list.items.length;
  return (
    <nav className="pager" aria-label={label}>
      <span className="pager-range">
        {formatNumber(first)}–{formatNumber(last)}
        {total != null && <> of {formatNumber(total)}</>}
      </span>
      <button type="button" className="btn btn-sm" disabled={pages.page <= 1} onClick={pages.previous}>
        Previous
      </button>
      <span className="pager-page" aria-current="page">
        Page {pages.page}
        {total != null && <> of {Math.max(1, Math.ceil(total / list.pageSize))}</>}
      </span>
      <button type="button" className="btn btn-sm" disabled={!list.next} onClick={() => pages.next(list)}>
        Next
      </button>
    </nav>
  );
}
