/**
 * A small Kubernetes API client for the engine proof: JSON over HTTPS through the tier
 * agent's Unix socket (the API server lives in the tier's network namespace), verifying the
 * server certificate against the cluster CA under the `kubernetes.default.svc` name.
 */
import * as https from 'node:https';

export interface KubeMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly { readonly kind: string; readonly name: string; readonly uid: string }[];
  readonly deletionTimestamp?: string;
  readonly creationTimestamp?: string;
  readonly finalizers?: readonly string[];
}

/** Any API object; specs and statuses are read through narrow casts where they are used. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: KubeMetadata;
  readonly [field: string]: unknown;
}

export interface KubeResponse<T> {
  readonly status: number;
  readonly body: T;
}

export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly apiPath: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(
      `${method} ${apiPath}: HTTP ${status}: ${typeof body === 'object' && body && 'message' in body ? String(body.message) : JSON.stringify(body)}`,
    );
  }
}

export interface KubeClientOptions {
  readonly socketPath: string;
  readonly caCertificate: string;
  readonly token: string;
}

export class KubeClient {
  private readonly agent: https.Agent;

  constructor(private readonly options: KubeClientOptions) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** One call; `token: null` sends none (anonymous), a string sends that bearer token instead of the client's. */
  request<T = unknown>(
    method: string,
    apiPath: string,
    body?: unknown,
    extra: { contentType?: string; token?: string | null } = {},
  ): Promise<KubeResponse<T>> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const token = extra.token === undefined ? this.options.token : extra.token;
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          socketPath: this.options.socketPath,
          host: 'kubernetes.default.svc',
          servername: 'kubernetes.default.svc',
          ca: this.options.caCertificate,
          agent: this.agent,
          path: apiPath,
          method,
          headers: {
            Accept: 'application/json',
            ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
            ...(payload === undefined
              ? {}
              : { 'Content-Type': extra.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // plain-text endpoints (/readyz, /version errors)
            }
            resolve({ status: response.statusCode ?? 0, body: parsed as T });
          });
        },
      );
      request.setTimeout(60_000, () => request.destroy(new Error(`${method} ${apiPath}: no answer in 60 s`)));
      request.on('error', reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends { readonly metadata: KubeMetadata } = KubeObject>(apiPath: string): Promise<T | undefined> {
    const response = await this.request<T>('GET', apiPath);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new KubeApiError('GET', apiPath, response.status, response.body);
    return response.body;
  }

  async list<T extends { readonly metadata: KubeMetadata } = KubeObject>(apiPath: string): Promise<T[]> {
    const response = await this.request<{ items: T[] }>('GET', apiPath);
    if (response.status === 404) return [];
    if (response.status !== 200) throw new KubeApiError('GET', apiPath, response.status, response.body);
    return response.body.items;
  }

  async create<T extends { readonly metadata: KubeMetadata } = KubeObject>(apiPath: string, object: unknown): Promise<T> {
    const response = await this.request<T>('POST', apiPath, object);
    if (response.status !== 201 && response.status !== 200) throw new KubeApiError('POST', apiPath, response.status, response.body);
    return response.body;
  }

  /** A JSON merge patch (on a subresource such as /status too). */
  async mergePatch<T extends { readonly metadata: KubeMetadata } = KubeObject>(apiPath: string, patch: unknown): Promise<T> {
    const response = await this.request<T>('PATCH', apiPath, patch, { contentType: 'application/merge-patch+json' });
    if (response.status !== 200) throw new KubeApiError('PATCH', apiPath, response.status, response.body);
    return response.body;
  }

  /** Deletes; a missing object is not an error. */
  async delete(apiPath: string, options: { gracePeriodSeconds?: number; propagationPolicy?: string } = {}): Promise<void> {
    const response = await this.request('DELETE', apiPath, { apiVersion: 'v1', kind: 'DeleteOptions', ...options });
    if (response.status !== 200 && response.status !== 202 && response.status !== 404)
      throw new KubeApiError('DELETE', apiPath, response.status, response.body);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached in ${Math.round(timeoutMs / 1000)} s${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
