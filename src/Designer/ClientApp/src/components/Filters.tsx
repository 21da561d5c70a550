import type { ReactNode } from "react";
import { useSearchParams } from "react-router";

/** A list page's filters and page number, kept in the address (a filtered view can be linked and survives a reload). */
export function useUrlFilters<const N extends string>(names: readonly N[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(names.map((n) => [n, params.get(n) ?? ""])) as Record<N, string>;
  const page = Number(params.get("page") ?? "1") || 1;

  return {
    values,
    page,
    filtered: names.some((n) => values[n] !== ""),
    set(name: N, value: string) {
      const next = new URLSearchParams(params);
      if (value) next.set(name, value);
      else next.delete(name);
      next.delete("page");
      setParams(next, { replace: true });
    },
    setPage(number: number) {
      const next = new URLSearchParams(params);
      next.set("page", String(number));
      setParams(next);
    },
    clear() {
      setParams({}, { replace: true });
    },
  };
}

export interface FilterOption {
  value: string;
  label: string;
}

/** A labelled filter select whose first option is "all". */
export function FilterSelect({ id, label, all, value, options, onChange, wide }: {
  id: string;
  label: string;
  all: string;
  value: string;
  options: FilterOption[] | undefined;
  onChange: (value: string) => void;
  wide?: boolean;
}) {
  return (
    <div className={`field field-inline${wide ? " field-wide" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {value && !options?.some((o) => o.value === value) && <option value={value}>{value}</option>}
        {options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The filters' form, with "Clear filters" once any is set. */
export function FilterBar({ label, filtered, onClear, children }: { label: string; filtered: boolean; onClear: () => void; children: ReactNode }) {
  return (
    <form className="filters" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
      {filtered && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}
