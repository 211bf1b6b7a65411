// GET /api/routings/{id}/files: the add-in's view of a routing's files,
// including the `meta.json` it reads before it generates. The route accepts
// the browser's session cookie (same origin), so the SPA shows exactly what
// the add-in gets.
import { HttpError } from '@/lib/http';

export interface RoutingFilesDocument {
  files: unknown[];
  meta: Record<string, unknown>;
}

export function routingFilesUrl(routingId: string): string {
  return `/api/routings/${encodeURIComponent(routingId)}/files`;
}

export async function fetchRoutingFiles(routingId: string, signal?: AbortSignal): Promise<RoutingFilesDocument> {
  const response = await fetch(routingFilesUrl(routingId), {
    method: 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    cache: 'no-store',
    signal,
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem = (body ?? {}) as { detail?: unknown; code?: unknown };
    throw new HttpError(
      response.status,
      typeof problem.detail === 'string' ? problem.detail : response.statusText || `HTTP ${response.status}`,
      typeof problem.code === 'string' ? problem.code : undefined,
    );
  }
  const document = body as Partial<RoutingFilesDocument> | null;
  if (!document || typeof document.meta !== 'object' || document.meta === null) {
    throw new HttpError(response.status, 'The answer has no meta.json.');
  }
  return { files: Array.isArray(document.files) ? document.files : [], meta: document.meta };
}
