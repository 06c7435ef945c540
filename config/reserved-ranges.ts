/**
 * Address ranges Synapse must never connect to (federation, media, push): loopback, private,
 * shared, link-local, multicast and reserved ranges. The cluster's own ranges are added per site.
 */
export const ALWAYS_BLOCKED_RANGES = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '192.0.0.0/24',
  '169.254.0.0/16',
  '192.88.99.0/24',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '::1/128',
  'fe80::/10',
  'fc00::/7',
  'ff00::/8',
  'fec0::/10',
] as const;
