/**
 * Clients writing rooms and messages through the gateway, each from its own address, for the
 * backup drills: every acknowledged message is recorded with the moment Synapse answered
 * (its commit), every refused or failed request is counted. Synapse's own message rate limit
 * (rc_message) is honoured: a 429 waits `retry_after_ms` and is counted apart, as no failure.
 */
import { randomBytes } from 'node:crypto';
import { call, type Answer, type Endpoint } from './matrix-client';
import { accessToken, login } from './oidc-login';

export interface Writer {
  readonly uid: string;
  readonly password: string;
  readonly endpoint: Endpoint;
}

export interface AcknowledgedMessage {
  readonly roomId: string;
  readonly eventId: string;
  /** Epoch ms at which the answer arrived (the commit happened before it). */
  readonly acknowledgedAt: number;
}

export interface FailedRequest {
  readonly at: number;
  readonly what: string;
}

export interface TrafficResult {
  readonly acknowledged: readonly AcknowledgedMessage[];
  readonly failed: readonly FailedRequest[];
  readonly rateLimited: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One user's session: logs in again when its token expired or was lost (a restore can lose it). */
export class Session {
  private token: string | undefined;
  roomId: string | undefined;

  constructor(readonly writer: Writer) {}

  private async ensureToken(): Promise<string> {
    this.token ??= accessToken(await login(this.writer.endpoint, this.writer.uid, this.writer.password));
    return this.token;
  }

  /** A call with the session's token; one new login and retry on 401 (expired or unknown token). */
  async call(method: string, path: string, json?: unknown): Promise<Answer> {
    const answer = await call(this.writer.endpoint, method, path, { token: await this.ensureToken(), json, timeoutMs: 15_000 });
    if (answer.status !== 401) return answer;
    this.token = undefined;
    return call(this.writer.endpoint, method, path, { token: await this.ensureToken(), json, timeoutMs: 15_000 });
  }

  /** Creates this session's room (private, as a small team's). */
  async createRoom(): Promise<string> {
    const answer = await this.call('POST', '/_matrix/client/v3/createRoom', { preset: 'private_chat', name: `drill ${this.writer.uid}` });
    const roomId = answer.json?.room_id;
    if (answer.status !== 200 || typeof roomId !== 'string')
      throw new Error(`createRoom failed (${answer.status}): ${answer.text.slice(0, 200)}`);
    this.roomId = roomId;
    return roomId;
  }

  /** Every message event id of the session's room, read back through the gateway (paginating backwards). */
  async messageIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    let from = '';
    for (let page = 0; page < 100; page++) {
      const query = `dir=b&limit=500${from ? `&from=${encodeURIComponent(from)}` : ''}`;
      const answer = await this.call('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(this.roomId ?? '')}/messages?${query}`);
      if (answer.status !== 200) throw new Error(`/messages failed (${answer.status}): ${answer.text.slice(0, 200)}`);
      const chunk = Array.isArray(answer.json?.chunk) ? (answer.json.chunk as { event_id?: unknown; type?: unknown }[]) : [];
      for (const event of chunk) if (event.type === 'm.room.message' && typeof event.event_id === 'string') ids.add(event.event_id);
      const end = answer.json?.end;
      if (chunk.length === 0 || typeof end !== 'string') break;
      from = end;
    }
    return ids;
  }
}

/**
 * Every session sends messages into its room until `stop()` resolves, as fast as Synapse's rate
 * limit lets it; returns what was acknowledged and what failed.
 */
export async function sendUntil(sessions: readonly Session[], stop: Promise<void>): Promise<TrafficResult> {
  const acknowledged: AcknowledgedMessage[] = [];
  const failed: FailedRequest[] = [];
  let rateLimited = 0;
  let stopped = false;
  void stop.finally(() => (stopped = true)).catch(() => undefined);
  const writer = async (session: Session) => {
    const roomId = session.roomId ?? '';
    while (!stopped) {
      const txn = randomBytes(8).toString('hex');
      const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`;
      try {
        const answer = await session.call('PUT', path, { msgtype: 'm.text', body: `drill message ${txn}` });
        const eventId = answer.json?.event_id;
        if (answer.status === 200 && typeof eventId === 'string') {
          acknowledged.push({ roomId, eventId, acknowledgedAt: Date.now() });
        } else if (answer.status === 429) {
          rateLimited += 1;
          const retry = answer.json?.retry_after_ms;
          await sleep(Math.min(typeof retry === 'number' ? retry : 1_000, 6_000));
        } else {
          failed.push({ at: Date.now(), what: `${session.writer.uid}: HTTP ${answer.status} ${answer.text.slice(0, 120)}` });
          await sleep(250);
        }
      } catch (error) {
        failed.push({ at: Date.now(), what: `${session.writer.uid}: ${(error as Error).message.slice(0, 160)}` });
        await sleep(250);
      }
    }
  };
  await Promise.all(sessions.map(writer));
  return { acknowledged, failed, rateLimited };
}

/** Resolves after `ms`. */
export function after(ms: number): Promise<void> {
  return sleep(ms).then(() => undefined);
}
