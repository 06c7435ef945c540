/**
 * HTTPS from the test process into the namespace: each endpoint is a Unix socket the bridge
 * forwards from one client address (see loopback_bridge.py). TLS is verified as a client
 * would: the test CA and the name the server must present.
 */
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';

export interface Endpoint {
  /** What the probe is (for logs and failure messages). */
  readonly label: string;
  readonly socketPath: string;
  /** Source address the server sees. */
  readonly address: string;
  /** The TLS name to verify and the Host header to send. */
  readonly servername: string;
  readonly ca: Buffer;
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON (e.g. HAProxy's own error pages). */
  readonly json: Record<string, unknown> | undefined;
}

export interface CallOptions {
  readonly json?: unknown;
  readonly body?: Buffer | string;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  readonly chunked?: boolean;
  /** Send `Expect: 100-continue` and the body only once the server says so (a final answer ends the call first). */
  readonly expectContinue?: boolean;
  readonly timeoutMs?: number;
}

export function call(endpoint: Endpoint, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const body =
    options.json !== undefined
      ? Buffer.from(JSON.stringify(options.json))
      : options.body !== undefined
        ? Buffer.from(options.body)
        : undefined;
  const headers: Record<string, string> = {
    Host: endpoint.servername,
    ...(options.json !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        socketPath: endpoint.socketPath,
        servername: endpoint.servername,
        ca: endpoint.ca,
        method,
        path,
        headers,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const data = Buffer.concat(chunks);
          const text = data.toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = JSON.parse(text);
            json = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: data, text, json });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${endpoint.label}: ${method} ${path} timed out`)));
    request.on('error', (error) => reject(new Error(`${endpoint.label}: ${method} ${path}: ${error.message}`)));
    if (body !== undefined) {
      if (options.chunked) request.setHeader('Transfer-Encoding', 'chunked');
      else request.setHeader('Content-Length', body.length);
      if (options.expectContinue) {
        request.setHeader('Expect', '100-continue');
        request.on('continue', () => request.end(body));
        // Send the headers now; the body waits for "100 Continue".
        request.flushHeaders();
        return;
      }
      request.write(body);
    }
    request.end();
  });
}

/** m.login.password with a user identifier, optionally asking for a refresh token. */
export function login(endpoint: Endpoint, user: string, password: string, options: { refreshToken?: boolean } = {}): Promise<Answer> {
  return call(endpoint, 'POST', '/_matrix/client/v3/login', {
    json: {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user },
      password,
      ...(options.refreshToken ? { refresh_token: true } : {}),
    },
  });
}

export function accessToken(answer: Answer): string {
  const token = answer.json?.access_token;
  if (answer.status !== 200 || typeof token !== 'string') throw new Error(`login failed (${answer.status}): ${answer.text.slice(0, 300)}`);
  return token;
}
