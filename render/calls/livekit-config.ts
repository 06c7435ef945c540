/**
 * LiveKit's configuration, written as JSON (which YAML reads as it is, so no configured text
 * is ever interpreted as YAML syntax). Signalling and the API listen on loopback only, behind
 * the pod's TLS front; media on the published ports; rooms exist only when the authorisation
 * service creates them for a local user, so a token alone never opens one. Secret-free: the
 * API key's secret is a mounted file.
 */
import type { HomeserverSettings } from '../../config/deployment-config';
import { CALLS_PATHS, LIVEKIT_LOOPBACK_PORT } from '../../model/calls';

export function livekitConfig(homeserver: HomeserverSettings): Record<string, unknown> {
  const media = homeserver.calls?.media;
  if (!media) throw new Error(`homeserver "${homeserver.name}" has no calls`);
  return {
    port: LIVEKIT_LOOPBACK_PORT,
    bind_addresses: ['127.0.0.1'],
    key_file: `${CALLS_PATHS.keysDirectory}/${CALLS_PATHS.keysFile}`,
    rtc: {
      udp_port: media.rtcUdpPort,
      tcp_port: media.rtcTcpPort,
      // The published address, never discovered through a third party's STUN server.
      use_external_ip: false,
      node_ip: media.publicAddress,
    },
    turn: {
      enabled: true,
      udp_port: media.turnUdpPort,
      relay_range_start: media.relayPorts.first,
      relay_range_end: media.relayPorts.last,
      bind_addresses: ['0.0.0.0'],
    },
    room: {
      // A join token for a room nobody local created is refused.
      auto_create: false,
    },
    logging: { json: true, level: 'info' },
  };
}

export function renderLivekitConfig(homeserver: HomeserverSettings): string {
  return `${JSON.stringify(livekitConfig(homeserver), null, 2)}\n`;
}
