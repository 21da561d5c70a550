// The API's shapes, as the OpenAPI document (/openapi/v1.json) describes them (src/Designer/Api/Contracts.cs).

export type RunStatus = "Running" | "Completed" | "CompletedWithErrors" | "Failed" | "Terminated";
export type RunAction = "resume" | "restart" | "terminate";
export type Role = "integrator" | "operator" | "business-user";

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  /** Null on the pages after the first of a list read by key (runs, quarantine): the first page's count holds. */
  total: number | null;
  /** Lists read by key: the `after` of the next page; null on the last. */
  next: string | null;
}

export interface RunCounters {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  pages: number;
}

export interface ScheduleInfo {
  expression: string;
  source: string;
  paused: boolean;
  nextDueAt: string | null;
  lastDueAt: string | null;
  lastRunId: string | null;
  lastSkippedAt: string | null;
  lastSkipReason: string | null;
}

export interface ScheduleChange {
  expression: string | null;
  paused: boolean;
}

export interface RunListItem {
  runId: string;
  module: string;
  version: number;
  dryRun: boolean;
  replay: boolean;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  counters: RunCounters;
  error: string | null;
}

export interface ModuleInfo {
  id: string;
  title: string;
  enabled: boolean;
  version: number;
  contentHash: string;
  dependsOn: string[];
  schedule: ScheduleInfo | null;
  lastRun: RunListItem | null;
  running: RunListItem | null;
}

export interface StreamPosition {
  stream: string;
  started: boolean;
  complete: boolean;
  offset: number | null;
  total: number | null;
  counters: RunCounters;
}

export interface RunFailure {
  message: string;
  stage: string | null;
  errorClass: string | null;
  advice: string;
}

export interface RunProgress {
  runId: string;
  status: RunStatus;
  counters: RunCounters;
  total: number | null;
  percent: number | null;
  recordsPerSecond: number;
  etaSeconds: number | null;
  at: string;
}

export interface RunDetail {
  runId: string;
  module: string;
  version: number;
  contentHash: string;
  dryRun: boolean;
  replay: boolean;
  status: RunStatus;
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  counters: RunCounters;
  apiCalls: Record<string, number>;
  progress: RunProgress;
  streams: StreamPosition[];
  failure: RunFailure | null;
  actions: RunAction[];
}

export interface RunRequest {
  dryRun?: boolean;
  definitionVersion?: number | null;
}

export interface PlanItem {
  stream: string;
  sourceId: string;
  action: string;
  reason: string;
}

export interface QuarantineListItem {
  module: string;
  stream: string;
  sourceId: string;
  stage: string;
  reason: string;
  attempts: number;
  runId: string;
  lastSeen: string;
}

export interface QuarantineDetail extends QuarantineListItem {
  payload: unknown;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface QuarantineFacets {
  modules: FacetCount[];
  stages: FacetCount[];
  reasons: FacetCount[];
}

export interface QuarantineKey {
  stream: string;
  sourceId: string;
}

export interface ReplayRequest {
  module: string;
  records: QuarantineKey[] | null;
}

export interface ConflictItem {
  module: string;
  ivvyId: string;
  crmId: string;
  ivvyValue: unknown;
  crmValue: unknown;
  winner: string;
  policy: string;
  runId: string;
  at: string;
}

export interface Session {
  userName: string;
  role: Role;
  mustChangePassword: boolean;
  authenticationType: string;
  antiforgeryToken: string | null;
}

export interface SignInOptions {
  localAccounts: boolean;
  openIdConnect: boolean;
  openIdConnectUrl: string | null;
}

export interface ApiErrorBody {
  message: string;
}
