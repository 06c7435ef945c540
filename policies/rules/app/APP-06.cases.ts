/** The case table of APP-06 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires } from '../../../test/policies/case-helpers/app';
import { editSynapse, setSynapse, synapseConfigFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    fires('unauthenticated media', 'enable_authenticated_media', false, 'enable_authenticated_media is false, must be true'),
    fires(
      'enable_authenticated_media absent',
      'enable_authenticated_media',
      undefined,
      'enable_authenticated_media is (absent), must be true',
    ),
    fires('max_upload_size absent', 'max_upload_size', undefined, 'max_upload_size is (absent), must be an explicit size'),
    fires('max_upload_size not a Synapse size', 'max_upload_size', '50MB', 'max_upload_size is "50MB"'),
    fires('media_upload_limits absent', 'media_upload_limits', undefined, 'media_upload_limits is (absent): no per-user upload window'),
    fires('media_upload_limits empty', 'media_upload_limits', [], 'media_upload_limits is []'),
    fires(
      'an upload limit without max_size',
      'media_upload_limits',
      [{ time_period: '1h' }],
      'media_upload_limits[0] needs a finite time_period and a max_size',
    ),
    fires(
      'media_retention absent',
      'media_retention',
      undefined,
      'media_retention.local_media_lifetime is (absent), not a finite duration (absent keeps local media forever)',
    ),
    fires(
      'remote media kept forever',
      'media_retention.remote_media_lifetime',
      null,
      'media_retention.remote_media_lifetime is null, not a finite duration',
    ),
    fires(
      'url previews on without a blacklist',
      'url_preview_enabled',
      true,
      'url_preview_enabled is true without a url_preview_ip_range_blacklist',
    ),
    fires('url_preview_enabled absent', 'url_preview_enabled', undefined, 'url_preview_enabled is (absent), must be false'),
    {
      name: 'url previews on with a blacklist missing the pod range (config)',
      mutate: editSynapse((config) =>
        Object.assign(config, {
          url_preview_enabled: true,
          url_preview_ip_range_blacklist: ['10.96.0.0/12', '169.254.169.254/32', 'fd00:ec2::254/128'],
        }),
      ),
      address: synapseConfigFile,
      message: 'url previews are on and url_preview_ip_range_blacklist does not cover 10.244.0.0/16',
    },
    fires(
      'ip_range_blacklist absent',
      'ip_range_blacklist',
      undefined,
      'ip_range_blacklist is (absent): Synapse would fetch from cluster-internal addresses',
    ),
    fires(
      'ip_range_blacklist without the pod range (config)',
      'ip_range_blacklist',
      ['10.96.0.0/12', '169.254.169.254/32', 'fd00:ec2::254/128'],
      /^ip_range_blacklist does not cover 10\.244\.0\.0\/16$/,
    ),
    {
      name: 'ip_range_blacklist without the metadata endpoints (standalone)',
      mutate: setSynapse('ip_range_blacklist', ['10.0.0.0/8', '192.168.0.0/16']),
      context: STANDALONE_CONTEXT,
      address: synapseConfigFile,
      message: 'ip_range_blacklist does not cover 169.254.169.254/32, fd00:ec2::254/128',
    },
    fires(
      'ip_range_whitelist re-opening the service range',
      'ip_range_whitelist',
      ['10.96.0.10'],
      'ip_range_whitelist re-opens 10.96.0.0/12',
    ),
  ],
  good: [
    {
      name: 'url previews on with the full blacklist',
      mutate: editSynapse((config) =>
        Object.assign(config, { url_preview_enabled: true, url_preview_ip_range_blacklist: config.ip_range_blacklist }),
      ),
    },
    {
      name: 'wider ranges and a bare metadata address',
      mutate: setSynapse('ip_range_blacklist', ['10.0.0.0/8', '169.254.169.254', 'fd00:ec2::254']),
    },
    {
      name: 'only the metadata endpoints without config',
      mutate: setSynapse('ip_range_blacklist', ['169.254.0.0/16', 'fd00:ec2::/32']),
      context: STANDALONE_CONTEXT,
    },
    { name: 'an ip_range_whitelist outside the cluster ranges', mutate: setSynapse('ip_range_whitelist', ['203.0.113.0/24']) },
    {
      name: 'sizes and durations as integers',
      mutate: editSynapse((config) =>
        Object.assign(config, {
          max_upload_size: 52428800,
          media_retention: { local_media_lifetime: 31536000000, remote_media_lifetime: 1209600000 },
        }),
      ),
    },
  ],
};
