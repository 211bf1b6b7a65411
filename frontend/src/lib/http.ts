// JSON over fetch for the few REST endpoints the SPA calls (sign-in, sign-out).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** POSTs `body` as JSON; resolves to the parsed JSON (or null for 204), throws HttpError otherwise. */
export async function postJson<T>(url: string, body?: unknown): Promise<T | null> {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { detail?: unknown; title?: unknown; code?: unknown };
    const message =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : response.statusText || `HTTP ${response.status}`;
    throw new HttpError(response.status, message, typeof problem.code === 'string' ? problem.code : undefined);
  }
  return parsed as T | null;
}
