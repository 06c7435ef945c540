/**
 * Whether a flow's bytes are encrypted. Every flow is TLS but call media (WebRTC's own
 * encryption) and two plaintext kinds, each saying why: the site Prometheus's scrapes and name
 * lookups at the cluster DNS. Shared by the flow matrices
 * (flows.ts, platform.ts) and the network policies derived from them.
 */
export type FlowTransport =
  { readonly kind: 'tls' } | { readonly kind: 'webrtc' } | { readonly kind: 'plaintext'; readonly reason: string };

export const TLS: FlowTransport = { kind: 'tls' };

/**
 * Call media between a participant outside and the SFU: WebRTC's own encryption (DTLS-SRTP for
 * media, DTLS for data channels) and authenticated TURN messages. Only flows with outside peers state it.
 */
export const WEBRTC: FlowTransport = { kind: 'webrtc' };

export const METRICS_SCRAPE: FlowTransport = {
  kind: 'plaintext',
  reason: 'a Prometheus scrape inside the cluster: counters and timings, no message, token or user data',
};

export const DNS_LOOKUP: FlowTransport = {
  kind: 'plaintext',
  reason: 'name lookups at the cluster DNS: Service names only, no user data',
};

/** The annotations a network policy states its transport with (NET-12 reads them). */
export const TRANSPORT_ANNOTATION = 'matrix.sovereign/transport';
export const PLAINTEXT_REASON_ANNOTATION = 'matrix.sovereign/plaintext-reason';
