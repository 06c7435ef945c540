/**
 * The numeric bounds of the config, stated once: the schema and the cross-field checks refuse
 * values outside them, and the policy rules judge the synthesized output against the same
 * numbers. Each bound says why it sits where it does.
 */

/** Minimum prefix length per address family. */
export interface PrefixBound {
  readonly 4: number;
  readonly 6: number;
}

/**
 * Allowlists of specific outside services (S3 endpoint, external directory, the API server,
 * explicit federation egress): one entry names at most one organisation's block. An IPv4 /16
 * (65 536 addresses, the largest block commonly held by one organisation) covers any published
 * object-storage or directory range; an IPv6 /32 is the smallest allocation a registry makes
 * to a provider. Anything wider (a /1 to /15) lets the workload reach a large part of the
 * internet while the config still reads as "one service".
 */
export const SERVICE_MIN_PREFIX: PrefixBound = { 4: 16, 6: 32 };

/**
 * Gateway ingress: the any-address (0.0.0.0/0, ::/0: a public homeserver, stated as such), or
 * client networks no wider than an IPv4 /8 or IPv6 /16. A /1 to /7 is "public" without saying so.
 */
export const CLIENT_MIN_PREFIX: PrefixBound = { 4: 8, 6: 16 };

/** Entries per allowlist of outside services: enough for every address of a provider's endpoint, too few to add up to "anywhere". */
export const MAX_SERVICE_RANGES = 64;

/**
 * Alert thresholds (LOG-02, LOG-03): above these an alert no longer means anything. The media
 * bound (50 GiB in one hour, about 110 Mbit/s sustained) is far above any human use of a
 * homeserver's media and far below a bulk export; the request bounds are homeserver-wide, per
 * minute, sustained over the alert's hold time.
 */
export const ALERT_MAXIMA = {
  mediaEgressBytesPerHour: 50 * 1024 ** 3,
  /** Synapse limits each user to about one search a minute (rc_user_directory): 600 a minute is 600 accounts searching at once. */
  userDirectorySearchesPerMinute: 600,
  /** Member lists and invites read profiles in bursts; 3000 a minute for ten minutes is harvesting, not use. */
  profileLookupsPerMinute: 3000,
  /** The gateway admits 5 login attempts per 10 s and address: 300 refused a minute is 60 addresses guessing at the limit. */
  rejectedLoginsPerMinute: 300,
} as const;

/** The same media bound as the config writes it. */
export const MEDIA_EGRESS_MAX_TEXT = '50G';

/** Longest hold (`for`) an alert of LOG-02 may have: a condition that must last longer than this before anyone hears of it is noticed too late. */
export const ALERT_MAX_HOLD_MS = 30 * 60_000;
