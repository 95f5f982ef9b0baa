// The /v1 API as the screens call it: JSON in and out, the API key as a
// Bearer token, and the API's one error shape turned into ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  // The gateway could not be reached at all (status 0).
  get unreachable(): boolean {
    return this.status === 0;
  }
}

export type KeySource = () => string | null;

export function authHeaders(key: string | null): Record<string, string> {
  return key ? { Authorization: `Bearer ${key}` } : {};
}

// {"error": {"code", "message", "field"}} (src/http/responses.h), or a
// plain description when the body is something else (a proxy's page).
export async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; field?: string } };
    if (body.error?.code) {
      return new ApiError(response.status, body.error.code, body.error.message ?? body.error.code, body.error.field);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, 'http_error', `the gateway answered ${response.status} ${response.statusText}`);
}

// A request body that is not JSON.
export class RawBody {
  constructor(
    readonly text: string,
    readonly type: string,
  ) {}
}

export class Api {
  constructor(
    private readonly key: KeySource,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  // The answer when it is a success; an ApiError otherwise.
  private async send(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(this.key()), ...extra };
    const raw = body instanceof RawBody;
    if (body !== undefined) headers['Content-Type'] = raw ? body.type : 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(path, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body.text : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'unreachable', `the gateway did not answer (${(e as Error).message})`);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async request<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const response = await this.send(method, path, body, extra);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  // A body that is not JSON (a message's source).
  async text(path: string): Promise<string> {
    return (await this.send('GET', path, undefined, { Accept: '*/*' })).text();
  }

  // Bytes as they are (an attachment).
  async blob(path: string): Promise<Blob> {
    return (await this.send('GET', path, undefined, { Accept: '*/*' })).blob();
  }

  // A body sent as it is, with its own media type (a CSV import).
  postText<T>(path: string, text: string, type: string): Promise<T> {
    return this.request<T>('POST', path, new RawBody(text, type));
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>('POST', path, body ?? {}, headers);
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }
}
