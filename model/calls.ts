/**
 * The calls compartment as plain data: the LiveKit SFU and the MatrixRTC authorisation
 * service (lk-jwt-service). Neither speaks TLS itself, so each listens on loopback only and a
 * TLS front in the same pod (HAProxy, the internal CA's certificate) is the one port the
 * gateway reaches. The SFU's media ports are published by their own load balancer.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import { homeserverServiceName } from './dns-names';
import type { WorkloadPort } from './workload-spec';

export const LIVEKIT_WORKLOAD = 'livekit';
export const RTC_AUTH_WORKLOAD = 'rtc-auth';

/** The TLS front's port on both workloads: the only port their Service has. */
export const CALLS_TLS_PORT = { name: 'https', containerPort: 8443, servicePort: 8443, protocol: 'TCP' } as const satisfies WorkloadPort;

/** Plain HTTP on loopback inside the pod, behind the TLS front: LiveKit's signalling and API, the authorisation service. */
export const LIVEKIT_LOOPBACK_PORT = 7880;
export const RTC_AUTH_LOOPBACK_PORT = 8080;

/** The API key's name (an identifier, not a secret); its secret is generated in the cluster. */
export const LIVEKIT_API_KEY = 'matrix-rtc';

/** Non-root users: neither image needs one of its own (both programs write nothing). */
export const LIVEKIT_UID = 10001;
export const RTC_AUTH_UID = 10002;

export const CALLS_PATHS = {
  livekitConfigDirectory: '/etc/livekit',
  /** The API key file, `<key>: <secret>`: LiveKit reads it as YAML, the authorisation service splits it at the colon. */
  keysDirectory: '/secrets/livekit',
  keysFile: 'keys.yaml',
  tlsFrontDirectory: '/etc/tls-front',
  tlsDirectory: '/tls',
  trustDirectory: '/trust',
  tmp: '/tmp',
} as const;

/** Paths the authorisation service answers (lk-jwt-service 0.5: the legacy and the current token endpoints). */
export const RTC_AUTH_PATHS = ['/sfu/get', '/get_token'] as const;
/** LiveKit's signalling (a WebSocket under /rtc). */
export const LIVEKIT_SIGNAL_PATHS = { exact: '/rtc', prefix: '/rtc/' } as const;
/** The one LiveKit API call the authorisation service makes: creating the room for a local user. */
export const LIVEKIT_CREATE_ROOM_PATH = '/twirp/livekit.RoomService/CreateRoom';
/** What the gateway's health checks ask the TLS fronts for (never routed from outside): LiveKit's "OK", the service's health endpoint. */
export const LIVEKIT_HEALTH_PATH = '/';
export const RTC_AUTH_HEALTH_PATH = '/healthz';

export const LIVEKIT_RESOURCES = { cpuRequestMilli: 500, cpuLimitMilli: 4000, memoryRequestMi: 512, memoryLimitMi: 2048 } as const;
export const RTC_AUTH_RESOURCES = { cpuRequestMilli: 50, cpuLimitMilli: 500, memoryRequestMi: 32, memoryLimitMi: 128 } as const;
export const TLS_FRONT_RESOURCES = { cpuRequestMilli: 50, cpuLimitMilli: 500, memoryRequestMi: 32, memoryLimitMi: 128 } as const;

/** The media ports the load balancer publishes, as the SFU's container declares them. */
export function mediaPorts(homeserver: HomeserverSettings): WorkloadPort[] {
  const media = homeserver.calls?.media;
  if (!media) return [];
  return [
    { name: 'rtc-udp', containerPort: media.rtcUdpPort, protocol: 'UDP' },
    { name: 'rtc-tcp', containerPort: media.rtcTcpPort, protocol: 'TCP' },
    { name: 'turn-udp', containerPort: media.turnUdpPort, protocol: 'UDP' },
  ];
}

/** The calls origin (signalling and tokens), or undefined without calls. */
function callsOrigin(homeserver: HomeserverSettings): string | undefined {
  return homeserver.calls ? `https://${homeserver.calls.hostname}` : undefined;
}

/** Where clients open the SFU's signalling WebSocket (what the authorisation service hands them). */
export function livekitUrl(homeserver: HomeserverSettings): string | undefined {
  return homeserver.calls ? `wss://${homeserver.calls.hostname}` : undefined;
}

export function livekitServiceName(homeserver: HomeserverSettings): string {
  return homeserverServiceName(homeserver.name, 'calls', LIVEKIT_WORKLOAD);
}

export function rtcAuthServiceName(homeserver: HomeserverSettings): string {
  return homeserverServiceName(homeserver.name, 'calls', RTC_AUTH_WORKLOAD);
}

/** The MatrixRTC focus the homeserver's `.well-known/matrix/client` advertises (MSC4143). */
export function rtcFoci(homeserver: HomeserverSettings): { type: 'livekit'; livekit_service_url: string }[] {
  const origin = callsOrigin(homeserver);
  return origin ? [{ type: 'livekit', livekit_service_url: origin }] : [];
}
