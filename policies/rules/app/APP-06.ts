import { cidrContains, parseCidr, type ParsedCidr } from '../../../config/validators';
import { shown } from '../../../tfjson/synapse-config';
import { isObject, valueAt, type JsonObject } from '../../../tfjson/terraform-json';
import {
  auditSynapseSettings,
  finiteDuration,
  isFiniteDuration,
  isSize,
  mustEqual,
  SYNAPSE,
  type SettingCheck,
} from '../../checks/synapse-settings';
import type { AuditContext, Rule } from '../../rule';

/** Without site config: the cloud metadata endpoints, as in NET-07. */
const DEFAULT_REQUIRED = ['169.254.169.254/32', 'fd00:ec2::254/128'];

/** The ranges Synapse must never fetch from: the site's pod, service and metadata ranges. */
function requiredRanges(context: AuditContext): string[] {
  const kubernetes = context.facts?.kubernetes;
  return kubernetes ? [...kubernetes.podCidrs, ...kubernetes.serviceCidrs, ...kubernetes.metadataCidrs] : DEFAULT_REQUIRED;
}

/** An address or range as netaddr reads it (a bare address is a single host; host bits are ignored). */
function parseRange(text: string): ParsedCidr | undefined {
  const [address = '', prefixText] = text.trim().split('/');
  const bits = address.includes(':') ? 128 : 32;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  const host = parseCidr(`${address}/${bits}`);
  if (typeof host === 'string' || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { family: host.family, prefix, network: host.network & ~hostMask, text };
}

function ranges(value: unknown): ParsedCidr[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((entry) => {
    const parsed = typeof entry === 'string' ? parseRange(entry) : undefined;
    return parsed ? [parsed] : [];
  });
}

/** The required ranges that `path` (a list of ranges) does not cover. */
function uncovered(config: JsonObject, path: string, context: AuditContext): string[] | undefined {
  const listed = ranges(valueAt(config, path));
  if (!listed) return undefined;
  return requiredRanges(context).filter((range) => {
    const inner = parseRange(range);
    return inner !== undefined && !listed.some((outer) => cidrContains(outer, inner));
  });
}

const BLACKLIST: SettingCheck = {
  keys: ['ip_range_blacklist'],
  check: (config, context) => {
    const missing = uncovered(config, 'ip_range_blacklist', context);
    if (!missing)
      return [`ip_range_blacklist is ${shown(valueAt(config, 'ip_range_blacklist'))}: Synapse would fetch from cluster-internal addresses`];
    return missing.length > 0 ? [`ip_range_blacklist does not cover ${missing.join(', ')}`] : [];
  },
};

const WHITELIST: SettingCheck = {
  keys: ['ip_range_whitelist'],
  check: (config, context) => {
    const allowed = ranges(valueAt(config, 'ip_range_whitelist')) ?? [];
    const reopened = requiredRanges(context).filter((range) => {
      const inner = parseRange(range);
      return inner !== undefined && allowed.some((entry) => cidrContains(entry, inner) || cidrContains(inner, entry));
    });
    return reopened.length > 0 ? [`ip_range_whitelist re-opens ${reopened.join(', ')}`] : [];
  },
};

const PREVIEWS: SettingCheck = {
  keys: ['url_preview_enabled', 'url_preview_ip_range_blacklist'],
  check: (config, context) => {
    const enabled = valueAt(config, 'url_preview_enabled');
    if (enabled === false) return [];
    if (enabled !== true)
      return [`url_preview_enabled is ${shown(enabled)}, must be false (or true with a url_preview_ip_range_blacklist)`];
    const missing = uncovered(config, 'url_preview_ip_range_blacklist', context);
    if (!missing) return ['url_preview_enabled is true without a url_preview_ip_range_blacklist'];
    return missing.length > 0 ? [`url previews are on and url_preview_ip_range_blacklist does not cover ${missing.join(', ')}`] : [];
  },
};

const UPLOAD_SIZE: SettingCheck = {
  keys: ['max_upload_size'],
  check: (config) => {
    const value = valueAt(config, 'max_upload_size');
    return isSize(value) ? [] : [`max_upload_size is ${shown(value)}, must be an explicit size such as "50M"`];
  },
};

const UPLOAD_LIMITS: SettingCheck = {
  keys: ['media_upload_limits'],
  check: (config) => {
    const value = valueAt(config, 'media_upload_limits');
    if (!Array.isArray(value) || value.length === 0)
      return [`media_upload_limits is ${shown(value)}: no per-user upload window bounds bulk uploads`];
    return value.flatMap((entry, index) => {
      const limit = isObject(entry) ? entry : {};
      return isFiniteDuration(limit.time_period) && isSize(limit.max_size)
        ? []
        : [`media_upload_limits[${index}] needs a finite time_period and a max_size (got ${JSON.stringify(entry)})`];
    });
  },
};

const CHECKS: readonly SettingCheck[] = [
  mustEqual('enable_authenticated_media', true),
  UPLOAD_SIZE,
  UPLOAD_LIMITS,
  finiteDuration('media_retention.local_media_lifetime', 'absent keeps local media forever'),
  finiteDuration('media_retention.remote_media_lifetime', 'absent keeps cached remote media forever'),
  PREVIEWS,
  BLACKLIST,
  WHITELIST,
];

/**
 * Media is authenticated, bounded and expires; Synapse fetches nothing from the cluster's own
 * ranges (URL previews off or blacklisted, ip_range_blacklist covering the pod, service and
 * metadata ranges, nothing of those re-opened by ip_range_whitelist).
 */
export const rule: Rule = {
  id: 'APP-06',
  title: 'Media is authenticated, bounded, expiring and cannot reach inside the cluster',
  level: 'error',
  lesson:
    '14 GB of shared files left through the media store: media must need a login, be bounded per user, expire, and never be a proxy into the cluster.',
  references: { nsaCisa: 'Network separation and hardening' },
  siteFacts: {
    facts: ['kubernetes'],
    unjudged: "that ip_range_blacklist covers the site's pod and service ranges (only the metadata endpoints are checked)",
  },
  fix: 'Set enable_authenticated_media: true, max_upload_size, media_upload_limits, media_retention (local and remote lifetimes), url_preview_enabled: false, and an ip_range_blacklist that covers the pod, service and metadata ranges (the renderer derives it from kubernetes.*).',
  appliesTo: SYNAPSE,
  check: (stack, context) => auditSynapseSettings(stack, context, CHECKS),
};
