/**
 * The security headers the gateway adds to every response of the web client's origin. The
 * Content-Security-Policy is what confines a compromised or injected script: it may load code
 * only from the client's own origin, talk only to that origin and the homeserver's, and never
 * be framed. Two allowances Element Web needs are explicit: `'wasm-unsafe-eval'` (its
 * end-to-end encryption runs as WebAssembly) and inline styles (its components set style
 * attributes); inline and evaluated scripts stay forbidden.
 */

import { REQUIRED_CSP_DIRECTIVES } from '../../model/client';

export interface ClientOrigins {
  /** `https://<homeserver host>`: the one API origin the client may reach. */
  readonly homeserver: string;
  /** The calls name, when there are calls: its token endpoint (https) and the SFU's signalling (wss). */
  readonly callsHostname?: string;
}

/** The calls' token endpoint and signalling WebSocket. */
function callOrigins(origins: ClientOrigins): string[] {
  return origins.callsHostname ? [`https://${origins.callsHostname}`, `wss://${origins.callsHostname}`] : [];
}

function contentSecurityPolicy(origins: ClientOrigins): string {
  const directives: [string, string][] = [
    ...Object.entries(REQUIRED_CSP_DIRECTIVES),
    ['style-src', "'self' 'unsafe-inline'"],
    ['connect-src', ["'self'", origins.homeserver, ...callOrigins(origins)].join(' ')],
    ['img-src', `'self' data: blob: ${origins.homeserver}`],
    ['media-src', `'self' blob: ${origins.homeserver}`],
    ['font-src', "'self' data:"],
    ['worker-src', "'self' blob:"],
    ['frame-src', "'self' blob:"],
    ['manifest-src', "'self'"],
    ['form-action', "'self'"],
  ];
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}

/** Voice messages and one-to-one calls need the microphone and camera of the client's own origin; nothing else is granted. */
const CLIENT_PERMISSIONS_POLICY =
  'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), midi=(), interest-cohort=()';

/** Name and value of each header, in the order written. */
export function clientSecurityHeaders(origins: ClientOrigins): [string, string][] {
  return [
    ['Content-Security-Policy', contentSecurityPolicy(origins)],
    ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Permissions-Policy', CLIENT_PERMISSIONS_POLICY],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['X-Content-Type-Options', 'nosniff'],
  ];
}
