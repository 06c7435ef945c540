/**
 * lk-jwt-service v0.5.0, the MatrixRTC authorisation service of the calls compartment: built
 * once per machine from its source archive (SOURCE_ARCHIVES.lkJwtService, sha256-checked),
 * its .go sources untouched.
 *
 * One dependency change, because the Go module proxy refuses the pinned
 * github.com/livekit/server-sdk-go/v2 v2.16.4 (it serves v2.18.0 and later): in a scratch copy,
 * `go get github.com/livekit/server-sdk-go/v2@v2.18.0`, the oldest served version. Every other
 * raise below is v2.18.0's own minimum, chosen by Go's minimal version selection:
 *   direct:   github.com/livekit/server-sdk-go/v2 v2.16.4 -> v2.18.0
 *             github.com/livekit/protocol v1.46.4 -> v1.49.0
 *   LiveKit:  mediatransportutil 20260521165806 -> 20260605212259, psrpc v0.7.1 -> v0.7.2
 *   pion:     webrtc/v4 v4.2.11 -> v4.2.15, ice/v4 v4.2.2 -> v4.2.7, dtls/v3 v3.1.2 -> v3.1.4,
 *             stun/v3 v3.1.1 -> v3.1.5, sctp v1.9.4 -> v1.10.0, srtp/v3 v3.0.10 -> v3.0.11,
 *             sdp/v3 v3.0.18 -> v3.0.19, rtp v1.10.1 -> v1.10.2, interceptor v0.1.44 -> v0.1.45,
 *             transport/v4 v4.0.1 -> v4.0.2, turn/v5 v5.0.9 added
 *   others:   golang.org/x/{crypto,exp,mod,net,sys,text,time}, grpc v1.80.0 -> v1.81.1, genproto,
 *             buf.build protovalidate/protoyaml, cel, otel, zap, nats, redis, logrus, fsnotify,
 *             klauspost/compress, mage; prometheus client and xsync/v4 added
 * No code change was needed: main.go builds as is, and upstream's `go test ./...` passes with
 * the raised requirements. The build checks the resolved versions of the direct requirements,
 * so a proxy answering differently fails here rather than building something else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildKey, cachedEngineBinary, inScratch } from '../engine/support/tools/build';
import { SOURCE_ARCHIVES, unpackArchive } from '../engine/support/tools/sources';
import { goBuild, goEnvironment, runGo } from './go-build';
import { type Sandbox, type SandboxProcess } from './sandbox';

/** The dependency change (see above): part of the cache key. */
export const LK_JWT_SERVICE_DEPENDENCY_CHANGE = ['github.com/livekit/server-sdk-go/v2@v2.18.0'] as const;

/** What the change must resolve to (`go list -m`), checked before the build. */
const EXPECTED_REQUIREMENTS: Readonly<Record<string, string>> = {
  'github.com/livekit/server-sdk-go/v2': 'v2.18.0',
  'github.com/livekit/protocol': 'v1.49.0',
  'github.com/pion/webrtc/v4': 'v4.2.15',
};

/** The cached lk-jwt-service binary, built on first use (about a minute cold). */
export function lkJwtServiceBinary(): string {
  const archive = SOURCE_ARCHIVES.lkJwtService;
  const key = buildKey([archive.sha256, ...LK_JWT_SERVICE_DEPENDENCY_CHANGE]);
  return cachedEngineBinary('lk-jwt-service', key, (output) =>
    inScratch('lk-jwt-service', (scratch) => {
      const source = unpackArchive(archive, scratch);
      runGo(['get', ...LK_JWT_SERVICE_DEPENDENCY_CHANGE], source, goEnvironment('mod'));
      const resolved = runGo(['list', '-m', ...Object.keys(EXPECTED_REQUIREMENTS)], source, goEnvironment('readonly'));
      for (const [module, version] of Object.entries(EXPECTED_REQUIREMENTS))
        if (!resolved.split('\n').includes(`${module} ${version}`))
          throw new Error(`lk-jwt-service: ${module} resolved to something other than ${version}:\n${resolved}`);
      goBuild({ cwd: source, mainPackage: '.', output, mode: 'readonly' });
    }),
  );
}

export interface LkJwtServiceOptions {
  /** File holding `key:secret` (LIVEKIT_KEY_FILE); livekit-server's `key_file` ("key: secret") also reads as such. */
  readonly keyFile: string;
  /** The SFU as clients reach it (LIVEKIT_URL); the service calls RoomService at its http(s) form. */
  readonly livekitUrl: string;
  /** Homeservers whose users may create rooms (LIVEKIT_FULL_ACCESS_HOMESERVERS). */
  readonly fullAccessHomeservers: readonly string[];
  /** Listen address (LIVEKIT_JWT_BIND), e.g. `127.0.0.1:8080`. */
  readonly bind: string;
  /** Extra environment, e.g. SSL_CERT_FILE for the test CA. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts lk-jwt-service inside `sandbox`, configured through its environment only, logging to logs/<name>.log. */
export function startLkJwtService(sandbox: Sandbox, options: LkJwtServiceOptions, name = 'lk-jwt-service'): SandboxProcess {
  if (!fs.existsSync(options.keyFile)) throw new Error(`lk-jwt-service: key file ${options.keyFile} is missing`);
  return sandbox.start(name, lkJwtServiceBinary(), [], {
    cwd: path.dirname(options.keyFile),
    env: {
      ...options.env,
      LIVEKIT_KEY_FILE: options.keyFile,
      LIVEKIT_URL: options.livekitUrl,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: options.fullAccessHomeservers.join(','),
      LIVEKIT_JWT_BIND: options.bind,
    },
  });
}
