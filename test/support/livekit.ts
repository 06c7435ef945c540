/**
 * livekit-server, the SFU of the calls compartment, and livekit-probe (test/tools/livekit-probe),
 * the participant and TURN client the integration tier drives it with: both built once per
 * machine in the Go tools cache, run inside the tier's loopback-only Sandbox.
 *
 * The version is v1.13.5, not the newest: from v1.13.6 on, livekit-server's go.mod replaces
 * pion's webrtc, dtls and ice with LiveKit's forks (github.com/livekit/{webrtc-pion,dtls,ice}),
 * which the Go module proxy does not serve, and without them v1.13.11 does not compile (it calls
 * the fork-only `SettingEngine.EnableSped`). v1.13.5 has no replace directive, so it is
 * installed as its own main module, with its own go.sum, checked against the checksum database.
 */
import * as path from 'node:path';
import { cachedArtifact } from './cache-lock';
import { buildGoProgram, goInstall, goModuleOf, toolCacheRoot } from './go-build';
import { waitFor, type Sandbox, type SandboxProcess } from './sandbox';

export const LIVEKIT_SERVER_MODULE = 'github.com/livekit/livekit-server';
export const LIVEKIT_SERVER_VERSION = 'v1.13.5';
const LIVEKIT_SERVER_PACKAGE = `${LIVEKIT_SERVER_MODULE}/cmd/server`;

/** The cached livekit-server binary, installed on first use (about 3.5 minutes cold on 2 cores, in the machine's Go build slot). */
export function livekitServerBinary(): string {
  const directory = cachedArtifact(path.join(toolCacheRoot(), 'bin', `livekit-server-${LIVEKIT_SERVER_VERSION}`), (staging) => {
    goInstall({ packagePath: LIVEKIT_SERVER_PACKAGE, version: LIVEKIT_SERVER_VERSION, gobin: staging });
    const built = goModuleOf(path.join(staging, 'server'));
    if (built?.path !== LIVEKIT_SERVER_MODULE || built.version !== LIVEKIT_SERVER_VERSION)
      throw new Error(`the installed livekit-server reports ${built?.path ?? '?'} ${built?.version ?? '?'}`);
  });
  // `go install` names the binary after its package directory.
  return path.join(directory, 'server');
}

let probe: string | undefined;

/** The livekit-probe binary (test/tools/livekit-probe), rebuilt when its sources change. */
export function livekitProbeBinary(): string {
  probe ??= buildGoProgram(path.join(__dirname, '..', 'tools', 'livekit-probe'), 'livekit-probe');
  return probe;
}

/** How to run livekit-server with a config file: all settings come from the file (keys through its `key_file`). */
export function livekitServerCommand(configFile: string): [string, string[]] {
  return [livekitServerBinary(), ['--config', configFile]];
}

/** Starts livekit-server inside `sandbox`, logging to logs/<name>.log. */
export function startLivekitServer(sandbox: Sandbox, configFile: string, name = 'livekit'): SandboxProcess {
  const [command, args] = livekitServerCommand(configFile);
  return sandbox.start(name, command, args);
}

export interface ProbeAnswer<T> {
  /** 0: done; 3: refused by the server (join, allocation, room creation); 1: the probe failed. */
  readonly status: number;
  /** The JSON line printed on success. */
  readonly result?: T;
  /** stdout and stderr, for the failure message. */
  readonly output: string;
}

export const PROBE_REFUSED = 3;

/**
 * Runs livekit-probe inside the namespace. API keys and secrets go through its environment
 * (LIVEKIT_API_KEY, LIVEKIT_API_SECRET), never its arguments.
 */
export async function runProbe<T>(
  sandbox: Sandbox,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 30_000,
): Promise<ProbeAnswer<T>> {
  const { status, output } = await sandbox.exec(livekitProbeBinary(), args, timeoutMs, env);
  const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
  return status === 0 && line ? { status, result: JSON.parse(line) as T, output } : { status, output };
}

/** A probe answer that must have succeeded: its result, or an error with the probe's output. */
export function expectDone<T>(answer: ProbeAnswer<T>, what: string): T {
  if (answer.status !== 0 || answer.result === undefined) throw new Error(`${what} failed (exit ${answer.status}): ${answer.output}`);
  return answer.result;
}

export interface ApiKey {
  readonly key: string;
  readonly secret: string;
}

const keyEnvironment = (apiKey: ApiKey) => ({ LIVEKIT_API_KEY: apiKey.key, LIVEKIT_API_SECRET: apiKey.secret });

export interface IceServer {
  readonly urls: string[];
  readonly username: string;
  readonly credential: string;
}

export interface JoinResult {
  readonly room: string;
  readonly roomSid: string;
  readonly identity: string;
  readonly serverVersion: string;
  readonly iceServers: IceServer[];
}

/** Joins through the signalling WebSocket (`ws://` or `wss://`; `ca`: PEM file to trust) and reads the JoinResponse. */
export function probeJoin(sandbox: Sandbox, url: string, token: string, ca?: string): Promise<ProbeAnswer<JoinResult>> {
  return runProbe<JoinResult>(sandbox, ['join', '--url', url, ...(ca ? ['--ca', ca] : [])], { LIVEKIT_TOKEN: token });
}

/** Creates a room through RoomService (Twirp), as lk-jwt-service does for full-access users. */
export function probeCreateRoom(
  sandbox: Sandbox,
  url: string,
  apiKey: ApiKey,
  room: string,
  ca?: string,
): Promise<ProbeAnswer<{ name: string; sid: string }>> {
  return runProbe(sandbox, ['create-room', '--url', url, '--room', room, ...(ca ? ['--ca', ca] : [])], keyEnvironment(apiKey));
}

/** Allocates a UDP relay on a TURN server (host:port) with long-term credentials. */
export function probeTurnAllocate(
  sandbox: Sandbox,
  server: string,
  username: string,
  credential: string,
): Promise<ProbeAnswer<{ relayed: string }>> {
  return runProbe(sandbox, ['turn-allocate', '--server', server, '--username', username], { TURN_CREDENTIAL: credential });
}

export interface MintOptions {
  /** Leave out the roomJoin grant. */
  readonly noJoin?: boolean;
  /** Add the roomCreate grant: with it a join creates a missing room even when `room.auto_create` is false. */
  readonly roomCreate?: boolean;
}

/** Signs an access token for `identity` in `room` with the API key (no authorisation service involved). */
export async function mintToken(
  sandbox: Sandbox,
  apiKey: ApiKey,
  room: string,
  identity: string,
  options: MintOptions = {},
): Promise<string> {
  const args = ['mint', '--room', room, '--identity', identity];
  if (options.noJoin) args.push('--no-join');
  if (options.roomCreate) args.push('--room-create');
  return expectDone(await runProbe<{ token: string }>(sandbox, args, keyEnvironment(apiKey)), 'mint').token;
}

/** True when GET `url` answers 200 (and `body`, when given, as its trimmed body). */
export async function probeHealth(sandbox: Sandbox, url: string, body?: string): Promise<boolean> {
  const answer = await runProbe(sandbox, ['health', '--url', url, ...(body === undefined ? [] : ['--body', body])], {}, 5_000);
  return answer.status === 0;
}

/** Waits until livekit-server answers GET / with 200 "OK" (its health check), failing fast if it exited. */
export function waitForLivekit(sandbox: Sandbox, server: SandboxProcess, httpUrl: string, deadline: number): Promise<void> {
  return waitFor(
    `livekit-server at ${httpUrl}`,
    deadline,
    () => probeHealth(sandbox, `${httpUrl.replace(/\/$/, '')}/`, 'OK'),
    () => sandbox.assertRunning(server),
  );
}
