import type {
  ConflictItem,
  ModuleInfo,
  Page,
  PlanItem,
  QuarantineDetail,
  QuarantineFacets,
  QuarantineListItem,
  ReplayRequest,
  RunDetail,
  RunListItem,
  RunRequest,
  ScheduleChange,
  ScheduleInfo,
  Session,
  SignInOptions,
} from "./types";

/** A refused or failed API call, with the server's own sentence (every 4xx carries `{message}`). */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = "ApiError";
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

let antiforgeryToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The session's antiforgery token goes in the X-XSRF-TOKEN header of every state-changing call. */
export function setAntiforgeryToken(token: string | null): void {
  antiforgeryToken = token;
}

/** Called when the server answers 401 to a signed-in page (the session expired or was signed out elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, options?: { quiet401?: boolean }): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && antiforgeryToken) headers["X-XSRF-TOKEN"] = antiforgeryToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "The server cannot be reached. Is `ivvy-workflows serve` running?");
  }

  if (response.status === 401 && !options?.quiet401) onUnauthorized?.();
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: string; title?: string; detail?: string };
    const message = body.message ?? body.detail ?? body.title;
    if (message) return message;
  } catch {
    // not JSON: fall through to the status
  }
  switch (response.status) {
    case 401:
      return "Sign in first.";
    case 403:
      return "Your role may not do this.";
    case 404:
      return "Not found.";
    default:
      return `The server answered ${response.status} ${response.statusText}.`;
  }
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

/** A list read by key (runs, quarantine): `after` is the `next` of the page before; none for the first page. */
export interface KeysetQuery {
  pageSize?: number;
  after?: string;
}

export interface RunQuery extends KeysetQuery {
  module?: string;
  status?: string;
  dryRun?: boolean;
}

export interface QuarantineQuery extends KeysetQuery {
  module?: string;
  stream?: string;
  stage?: string;
  reason?: string;
}

/** The console's API, one function per route (routes and roles: src/Designer/README.md). */
export const api = {
  signInOptions: () => request<SignInOptions>("GET", "/api/auth/options"),
  session: () => request<Session>("GET", "/api/auth/session", undefined, { quiet401: true }),
  signIn: (userName: string, password: string) =>
    request<Session>("POST", "/api/auth/sign-in", { userName, password }, { quiet401: true }),
  signOut: () => request<void>("POST", "/api/auth/sign-out"),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<Session>("POST", "/api/auth/password", { currentPassword, newPassword }),

  modules: () => request<ModuleInfo[]>("GET", "/api/modules"),
  module: (id: string) => request<ModuleInfo>("GET", `/api/modules/${encodeURIComponent(id)}`),
  changeSchedule: (id: string, change: ScheduleChange) =>
    request<ScheduleInfo>("PUT", `/api/modules/${encodeURIComponent(id)}/schedule`, change),
  startRun: (id: string, run: RunRequest = {}) =>
    request<RunDetail>("POST", `/api/modules/${encodeURIComponent(id)}/runs`, run),

  runs: (query: RunQuery) => request<Page<RunListItem>>("GET", withQuery("/api/runs", { ...query })),
  run: (runId: string) => request<RunDetail>("GET", `/api/runs/${encodeURIComponent(runId)}`),
  plan: (runId: string, query: PageQuery & { action?: string; stream?: string }) =>
    request<Page<PlanItem>>("GET", withQuery(`/api/runs/${encodeURIComponent(runId)}/plan`, { ...query })),
  resume: (runId: string) => request<RunDetail>("POST", `/api/runs/${encodeURIComponent(runId)}/resume`),
  restart: (runId: string) => request<RunDetail>("POST", `/api/runs/${encodeURIComponent(runId)}/restart`),
  terminate: (runId: string) => request<RunDetail>("POST", `/api/runs/${encodeURIComponent(runId)}/terminate`),

  quarantine: (query: QuarantineQuery) =>
    request<Page<QuarantineListItem>>("GET", withQuery("/api/quarantine", { ...query })),
  quarantineFacets: (module?: string) =>
    request<QuarantineFacets>("GET", withQuery("/api/quarantine/facets", { module })),
  quarantined: (module: string, stream: string, sourceId: string) =>
    request<QuarantineDetail>(
      "GET",
      `/api/quarantine/${encodeURIComponent(module)}/${encodeURIComponent(stream)}/${encodeURIComponent(sourceId)}`,
    ),
  replay: (body: ReplayRequest) => request<RunDetail>("POST", "/api/quarantine/replay", body),

  conflicts: (query: PageQuery & { module?: string }) =>
    request<Page<ConflictItem>>("GET", withQuery("/api/conflicts", { ...query })),
};
