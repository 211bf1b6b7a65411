// GET /api/metrics/dashboard: the KPI figures (REST; the session cookie goes along).
import type { AddinJobStatus } from '@/gql/graphql';
import { HttpError } from '@/lib/http';

export interface ApprovalLeadTime {
  windowDays: number;
  count: number;
  averageSeconds?: number;
  medianSeconds?: number;
  p95Seconds?: number;
}

export interface DashboardFigures {
  generatedAt: string;
  queueDepth: number;
  runningJobs: number;
  oldestQueuedSeconds: number | null;
  jobsByStatus: Partial<Record<AddinJobStatus, number>>;
  approvalLeadTime: ApprovalLeadTime;
}

export const DASHBOARD_URL = '/api/metrics/dashboard';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Reads the figures; throws `HttpError` when the server refuses, `Error` on a malformed answer. */
export async function fetchDashboard(signal?: AbortSignal): Promise<DashboardFigures> {
  const response = await fetch(DASHBOARD_URL, {
    method: 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    signal,
  });
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem = isRecord(body) ? body : {};
    const nested = isRecord(problem.error) ? problem.error : {};
    const message =
      [problem.detail, problem.title, nested.message].find((v): v is string => typeof v === 'string') ??
      (response.statusText || `HTTP ${response.status}`);
    const code = [problem.code, nested.code].find((v): v is string => typeof v === 'string');
    throw new HttpError(response.status, message, code);
  }
  if (!isRecord(body)) throw new Error('The dashboard answer is not an object.');
  const byStatus: Partial<Record<AddinJobStatus, number>> = {};
  if (isRecord(body.jobsByStatus)) {
    for (const [status, count] of Object.entries(body.jobsByStatus)) {
      const value = num(count);
      if (value !== undefined) byStatus[status as AddinJobStatus] = value;
    }
  }
  const lead = isRecord(body.approvalLeadTime) ? body.approvalLeadTime : {};
  return {
    generatedAt: typeof body.generatedAt === 'string' ? body.generatedAt : '',
    queueDepth: num(body.queueDepth) ?? 0,
    runningJobs: num(body.runningJobs) ?? 0,
    oldestQueuedSeconds: num(body.oldestQueuedSeconds) ?? null,
    jobsByStatus: byStatus,
    approvalLeadTime: {
      windowDays: num(lead.windowDays) ?? 30,
      count: num(lead.count) ?? 0,
      averageSeconds: num(lead.averageSeconds),
      medianSeconds: num(lead.medianSeconds),
      p95Seconds: num(lead.p95Seconds),
    },
  };
}
