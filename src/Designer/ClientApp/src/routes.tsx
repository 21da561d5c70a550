import type { ReactElement } from "react";
import type { Permission } from "./auth/permissions";
import { ConflictsPage } from "./pages/ConflictsPage";
import { ModulesPage } from "./pages/ModulesPage";
import { QuarantinePage } from "./pages/QuarantinePage";
import { RunDetailPage } from "./pages/RunDetailPage";
import { RunsPage } from "./pages/RunsPage";

/**
 * Every signed-in page of the app, in one list: the router and the navigation are made from it, so a new area (the
 * designer, the template studio) is one entry here with its section and the permission it needs.
 */
export interface AppRoute {
  path: string;
  element: ReactElement;
  permission: Permission;
  /** Shown in the navigation under `section` when set. */
  nav?: { label: string; section: string; icon: string };
}

export const routes: AppRoute[] = [
  { path: "/modules", element: <ModulesPage />, permission: "read", nav: { label: "Modules", section: "Operations", icon: "modules" } },
  { path: "/runs", element: <RunsPage />, permission: "read", nav: { label: "Runs", section: "Operations", icon: "runs" } },
  { path: "/runs/:runId", element: <RunDetailPage />, permission: "read" },
  { path: "/quarantine", element: <QuarantinePage />, permission: "read", nav: { label: "Quarantine", section: "Operations", icon: "quarantine" } },
  { path: "/conflicts", element: <ConflictsPage />, permission: "read", nav: { label: "Conflicts", section: "Operations", icon: "conflicts" } },
];

export const homePath = "/modules";
