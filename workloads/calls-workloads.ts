/**
 * The calls compartment's workloads: the LiveKit SFU and the MatrixRTC authorisation service
 * (lk-jwt-service), each a plain-HTTP program on loopback behind its pod's TLS front. The
 * authorisation service hands LiveKit tokens only after the homeserver confirmed the user's
 * OpenID token, and creates rooms only for the homeserver's own users.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import {
  CALLS_PATHS,
  CALLS_TLS_PORT,
  LIVEKIT_CREATE_ROOM_PATH,
  LIVEKIT_HEALTH_PATH,
  LIVEKIT_LOOPBACK_PORT,
  LIVEKIT_RESOURCES,
  LIVEKIT_SIGNAL_PATHS,
  LIVEKIT_UID,
  LIVEKIT_WORKLOAD,
  livekitUrl,
  mediaPorts,
  RTC_AUTH_HEALTH_PATH,
  RTC_AUTH_LOOPBACK_PORT,
  RTC_AUTH_PATHS,
  RTC_AUTH_RESOURCES,
  RTC_AUTH_UID,
  RTC_AUTH_WORKLOAD,
  TLS_FRONT_RESOURCES,
} from '../model/calls';
import { CERTIFICATE_SECRETS, COMBINED_PEM_KEY } from '../model/certificates';
import { SECRET_NAMES } from '../model/secrets';
import type { TlsFront, WorkloadSpec } from '../model/workload-spec';
import { renderLivekitConfig } from '../render/calls/livekit-config';
import { renderTlsFrontConfig } from '../render/calls/tls-front';
import { trustBundleMount } from './homeserver-workloads';

function tlsFront(
  config: DeploymentConfig,
  certificateSecret: string,
  upstreamPort: number,
  paths: { exact: readonly string[]; prefixes: readonly string[] },
): TlsFront {
  return {
    image: config.images.effective.haproxy,
    port: CALLS_TLS_PORT,
    resources: TLS_FRONT_RESOURCES,
    certificateSecret,
    configFile: renderTlsFrontConfig({
      listenPort: CALLS_TLS_PORT.containerPort,
      upstreamPort,
      certificateFile: `${CALLS_PATHS.tlsDirectory}/${COMBINED_PEM_KEY}`,
      ...paths,
    }),
  };
}

const keysMount = { volumeName: 'livekit-keys', secretName: SECRET_NAMES.livekitKeys, mountPath: CALLS_PATHS.keysDirectory } as const;

export function callsWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  const url = livekitUrl(homeserver);
  if (!homeserver.calls || !url) return [];
  const media = mediaPorts(homeserver);
  return [
    {
      name: LIVEKIT_WORKLOAD,
      compartment: 'calls',
      kind: 'Deployment',
      purpose: 'LiveKit SFU: call media between participants, its embedded TURN server, signalling behind the TLS front',
      image: config.images.effective.livekit,
      replicas: 1,
      singletonReason:
        'a second SFU needs a shared Redis to route rooms between nodes, not deployed here: calls in progress drop while it restarts, chat does not',
      uid: LIVEKIT_UID,
      gid: LIVEKIT_UID,
      ports: media,
      mediaEntryPoint: media.map((port) => port.name),
      writablePaths: [{ name: 'tmp', mountPath: CALLS_PATHS.tmp, sizeLimitMi: 16 }],
      resources: LIVEKIT_RESOURCES,
      probe: { type: 'tcp', port: CALLS_TLS_PORT.name },
      command: ['/livekit-server', '--config', `${CALLS_PATHS.livekitConfigDirectory}/livekit.yaml`],
      configFiles: [
        { volumeName: 'config', mountPath: CALLS_PATHS.livekitConfigDirectory, files: { 'livekit.yaml': renderLivekitConfig(homeserver) } },
      ],
      secretMounts: [keysMount],
      tlsFront: tlsFront(config, CERTIFICATE_SECRETS.livekit, LIVEKIT_LOOPBACK_PORT, {
        exact: [LIVEKIT_HEALTH_PATH, LIVEKIT_SIGNAL_PATHS.exact, LIVEKIT_CREATE_ROOM_PATH],
        prefixes: [LIVEKIT_SIGNAL_PATHS.prefix],
      }),
    },
    {
      name: RTC_AUTH_WORKLOAD,
      compartment: 'calls',
      kind: 'Deployment',
      purpose:
        "MatrixRTC authorisation service: a LiveKit token for a user the homeserver vouches for; rooms only for the homeserver's own users",
      image: config.images.effective.lkJwtService,
      replicas: homeserver.gateway.replicas,
      uid: RTC_AUTH_UID,
      gid: RTC_AUTH_UID,
      ports: [],
      writablePaths: [{ name: 'tmp', mountPath: CALLS_PATHS.tmp, sizeLimitMi: 16 }],
      resources: RTC_AUTH_RESOURCES,
      probe: { type: 'tcp', port: CALLS_TLS_PORT.name },
      command: ['/lk-jwt-service'],
      env: {
        LIVEKIT_URL: url,
        LIVEKIT_KEY_FILE: `${CALLS_PATHS.keysDirectory}/${CALLS_PATHS.keysFile}`,
        // Rooms are created for this homeserver's users only; anyone else can at most join a room one of them opened.
        LIVEKIT_FULL_ACCESS_HOMESERVERS: homeserver.serverName,
        LIVEKIT_JWT_BIND: `127.0.0.1:${RTC_AUTH_LOOPBACK_PORT}`,
        // The internal CA beside the system roots, for a gateway certificate of the internal CA.
        SSL_CERT_DIR: CALLS_PATHS.trustDirectory,
      },
      secretMounts: [keysMount],
      trustBundle: trustBundleMount(config, CALLS_PATHS.trustDirectory),
      tlsFront: tlsFront(config, CERTIFICATE_SECRETS.rtcAuth, RTC_AUTH_LOOPBACK_PORT, {
        exact: [...RTC_AUTH_PATHS, RTC_AUTH_HEALTH_PATH],
        prefixes: [],
      }),
    },
  ];
}
