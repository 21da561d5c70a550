const paths: Record<string, string> = {
  modules: "M4 5h7v6H4zM13 5h7v6h-7zM4 13h7v6H4zM13 13h7v6h-7z",
  runs: "M5 12h3l2-6 4 12 2-6h3",
  quarantine: "M12 3l8 4v5c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V7zM12 8v5M12 16v.5",
  conflicts: "M7 4v10M4 11l3 3 3-3M17 20V10M14 13l3-3 3 3",
  menu: "M4 7h16M4 12h16M4 17h16",
  signout: "M15 16l4-4-4-4M19 12H9M12 20H6a1 1 0 01-1-1V5a1 1 0 011-1h6",
};

export function Icon({ name }: { name: string }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={paths[name] ?? ""} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
