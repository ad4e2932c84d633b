/**
 * A typed client of the UE host control API (docs/ue-host-api.md) over `fetch`: the endpoints
 * the mcx CLI, the scenario runner and the migration benchmark use. A non-2xx answer throws
 * {@link UeHostApiError} with the status and the `Problem` body.
 */
import type { Message } from './message.ts';
import type {
  BulkPlmnRequest,
  BulkResponse,
  CreateBulkRequest,
  CreateUeRequest,
  LocalCopy,
  Problem,
  SyncResponse,
  UeHostHealth,
  UeSummary,
  UploadRequest,
  UploadResult,
} from './requests.ts';
import type { UeSnapshot } from './snapshot.ts';

export class UeHostApiError extends Error {
  override readonly name = 'UeHostApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The `Problem` body when the host sent one, else the text. */
    readonly problem: Problem | string,
  ) {
    super(`${method} ${path}: ${status} ${typeof problem === 'string' ? problem : `${problem.error}: ${problem.detail}`}`);
  }
}

export interface UeHostClientOptions {
  /** The HTTP client (default: the global `fetch`). */
  fetch?: typeof fetch;
  /**
   * The host's control secret, sent as `Authorization: Bearer <token>` (RFC 6750 clause 2.1) on every
   * request (docs/ue-host-api.md "Authentication"; `mcx up`'s is `<dataDir>/secrets/control-token`).
   * None in a browser that goes through the console's proxy (its session cookie is the credential).
   */
  token?: string;
}

const ue = (id: string) => `/api/ues/${encodeURIComponent(id)}`;

export class UeHostClient {
  readonly #fetch: typeof fetch;
  readonly #authorization: Record<string, string>;

  /** `baseUrl`: `ueHost` of `mcx endpoints --json` (a relative base such as `api/ue` works in a browser). */
  constructor(
    readonly baseUrl: string,
    options: UeHostClientOptions = {},
  ) {
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#authorization = options.token ? { authorization: `Bearer ${options.token}` } : {};
  }

  async #send(method: string, path: string, body?: unknown): Promise<Response> {
    const res = await this.#fetch(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { ...this.#authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.ok) return res;
    const text = await res.text();
    let problem: Problem | string = text;
    try {
      const parsed = JSON.parse(text) as Partial<Problem>;
      if (typeof parsed.error === 'string') problem = { error: parsed.error, detail: String(parsed.detail ?? '') };
    } catch {
      /* not JSON: keep the text */
    }
    throw new UeHostApiError(method, path, res.status, problem);
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.#send(method, path, body)).json()) as T;
  }

  health(): Promise<UeHostHealth> {
    return this.#json('GET', '/healthz');
  }

  /** `prefix`: only the UEs whose id starts with it. */
  listUes(prefix?: string): Promise<UeSnapshot[]> {
    return this.#json('GET', `/api/ues${prefix === undefined ? '' : `?prefix=${encodeURIComponent(prefix)}`}`);
  }

  /** Counts per state (`GET /api/ues/summary`); `prefix`: only the UEs whose id starts with it. */
  summary(prefix?: string): Promise<UeSummary> {
    return this.#json('GET', `/api/ues/summary${prefix === undefined ? '' : `?prefix=${encodeURIComponent(prefix)}`}`);
  }

  getUe(id: string): Promise<UeSnapshot> {
    return this.#json('GET', ue(id));
  }

  /** Creates and starts a UE (201). */
  createUe(request: CreateUeRequest): Promise<UeSnapshot> {
    return this.#json('POST', '/api/ues', request);
  }

  createBulk(request: CreateBulkRequest): Promise<BulkResponse> {
    return this.#json('POST', '/api/ues/bulk', request);
  }

  /** Un-subscribes and stops a UE (204). */
  async deleteUe(id: string): Promise<void> {
    await (await this.#send('DELETE', ue(id))).arrayBuffer();
  }

  /** A registered-PLMN change (202): partner selection or the return home follows. */
  changePlmn(id: string, plmn: string): Promise<UeSnapshot> {
    return this.#json('POST', `${ue(id)}/plmn`, { plmn });
  }

  changePlmnBulk(request: BulkPlmnRequest): Promise<BulkResponse> {
    return this.#json('POST', '/api/ues/bulk/plmn', request);
  }

  sync(id: string): Promise<SyncResponse> {
    return this.#json('POST', `${ue(id)}/sync`, {});
  }

  upload(id: string, request: UploadRequest = {}): Promise<UploadResult> {
    return this.#json('POST', `${ue(id)}/upload`, request);
  }

  /** The n-th local copy of the snapshot's `documents`, decrypted. */
  async document(id: string, n: number): Promise<LocalCopy> {
    const res = await this.#send('GET', `${ue(id)}/documents/${n}`);
    return { contentType: res.headers.get('content-type') ?? '', etag: res.headers.get('etag')?.replace(/^"|"$/g, '') ?? null, body: await res.text() };
  }

  /** The recorded messages of a UE with a sequence number above `since`. */
  messages(id: string, since = 0): Promise<Message[]> {
    return this.#json('GET', `${ue(id)}/messages${since ? `?since=${since}` : ''}`);
  }
}
