/**
 * Calls (MatrixRTC) in their own compartment: a LiveKit SFU and its authorisation service,
 * signalling on their own public name through the gateway, media on the SFU's own load balancer
 * (UDP cannot pass an HTTP gateway). Only the ports and ranges below are ever published.
 */
import { z } from 'zod';
import { checked } from './checked';
import { cidrProblem, dnsNameProblem, parseCidr } from './validators';

export const CALL_PORT_BOUNDS = {
  /** Above the well-known ports, below Linux's default ephemeral range. */
  min: 1024,
  max: 32767,
  /** TURN relay allocations, one port each; beyond this, add SFU capacity instead. */
  maxRelayPorts: 1000,
} as const;

const publicPort = z.number().int().min(CALL_PORT_BOUNDS.min).max(CALL_PORT_BOUNDS.max);

/** One IPv4 or IPv6 address, no range. */
function addressProblem(value: string): string | null {
  const parsed = parseCidr(`${value}/${value.includes(':') ? 128 : 32}`);
  return typeof parsed === 'string' ? 'must be one IPv4 or IPv6 address (the address the media load balancer publishes)' : null;
}

export const callsSchema = z
  .object({
    /** Public name of the signalling and the authorisation service, through the gateway (its own origin). */
    hostname: checked(dnsNameProblem),
    media: z
      .object({
        exposure: z.enum(['LoadBalancer', 'NodePort']).default('LoadBalancer'),
        /** The address the load balancer publishes the media ports on; the SFU announces it in its ICE candidates. */
        publicAddress: checked(addressProblem),
        /** Client ranges admitted to the media ports (same breadth rules as the gateway's). */
        ingressCidrs: z.array(checked(cidrProblem)).min(1),
        /** ICE over one UDP port: every participant's media is multiplexed on it. */
        rtcUdpPort: publicPort.default(7882),
        /** ICE over TCP, for networks that drop UDP. */
        rtcTcpPort: publicPort.default(7881),
        /** The SFU's embedded TURN server (UDP). */
        turnUdpPort: publicPort.default(3478),
        /** Ports the TURN server relays from, inside the SFU's pod; at most 1000. */
        relayPorts: z.object({ first: publicPort, last: publicPort }).strict().default({ first: 30000, last: 30099 }),
      })
      .strict(),
  })
  .strict();

export type CallsSettings = z.infer<typeof callsSchema>;
