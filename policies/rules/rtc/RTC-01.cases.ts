/** The case table of RTC-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import {
  editLivekit,
  livekitFile,
  rtcAuthContainer,
  section,
  setRtcAuthEnv,
  setRtcAuthEnvFromSecret,
} from '../../../test/policies/case-helpers/rtc';
import type { RuleCases } from '../../../test/policies/case-table';
import { R, remove, SITE_HOMESERVER, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

const FULL_ACCESS = 'LIVEKIT_FULL_ACCESS_HOMESERVERS';
const OTHER_KEY_FILE = '/run/secrets/livekit/api-keys.yaml';

export const cases: RuleCases = {
  bad: [
    // The authorisation service's environment.
    {
      name: 'full access for every homeserver',
      mutate: setRtcAuthEnv(FULL_ACCESS, '*'),
      address: rtcAuthContainer,
      message: 'LIVEKIT_FULL_ACCESS_HOMESERVERS holds "*": any homeserver\'s users could open rooms',
    },
    {
      name: 'a wildcard beside the own server name, without site facts',
      mutate: setRtcAuthEnv(FULL_ACCESS, `${SITE_HOMESERVER.serverName},*.example.org`),
      address: rtcAuthContainer,
      message: 'holds "*.example.org"',
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'full access unset (the service then grants it to every homeserver)',
      mutate: setRtcAuthEnv(FULL_ACCESS, undefined),
      address: rtcAuthContainer,
      message: 'LIVEKIT_FULL_ACCESS_HOMESERVERS is not set',
    },
    {
      name: 'full access empty',
      mutate: setRtcAuthEnv(FULL_ACCESS, ' , '),
      address: rtcAuthContainer,
      message: 'LIVEKIT_FULL_ACCESS_HOMESERVERS is not set',
    },
    {
      name: 'full access for a homeserver outside the deployment (site facts)',
      mutate: setRtcAuthEnv(FULL_ACCESS, `${SITE_HOMESERVER.serverName} matrix.elsewhere.example`),
      address: rtcAuthContainer,
      message: 'names "matrix.elsewhere.example", which is no homeserver of this deployment',
    },
    {
      name: 'TLS verification of the homeserver switched off',
      mutate: setRtcAuthEnv('LIVEKIT_INSECURE_SKIP_VERIFY_TLS', 'YES_I_KNOW_WHAT_I_AM_DOING'),
      address: rtcAuthContainer,
      message: 'LIVEKIT_INSECURE_SKIP_VERIFY_TLS is set',
    },
    {
      name: 'the API secret as a literal variable',
      mutate: setRtcAuthEnv('LIVEKIT_SECRET', 'not-a-real-secret'),
      address: rtcAuthContainer,
      message: 'LIVEKIT_SECRET is in the environment',
    },
    {
      name: 'the API key as a literal variable',
      mutate: setRtcAuthEnv('LIVEKIT_KEY', 'matrix-rtc'),
      address: rtcAuthContainer,
      message: 'LIVEKIT_KEY is in the environment',
    },
    {
      name: "the API secret from a Secret's key (still in the environment)",
      mutate: setRtcAuthEnvFromSecret('LIVEKIT_SECRET', 'livekit-keys', 'secret'),
      address: rtcAuthContainer,
      message: 'LIVEKIT_SECRET is in the environment',
    },
    {
      name: 'no key file',
      mutate: setRtcAuthEnv('LIVEKIT_KEY_FILE', undefined),
      address: rtcAuthContainer,
      message: 'LIVEKIT_KEY_FILE is not set',
    },
    // LiveKit's configuration.
    {
      name: 'rooms created on a token alone',
      mutate: editLivekit((config) => (section(config, 'room').auto_create = true)),
      address: livekitFile,
      message: 'room.auto_create is true, must be false',
    },
    {
      name: 'room.auto_create left to its default (true)',
      mutate: editLivekit((config) => delete config.room),
      address: livekitFile,
      message: 'room.auto_create is (absent), must be false',
    },
    {
      name: 'the API secret in the configuration',
      mutate: editLivekit((config) => (config.keys = { 'matrix-rtc': 'not-a-real-secret' })),
      address: livekitFile,
      message: 'keys holds the API secret in the configuration',
    },
    {
      name: 'no key file in the configuration',
      mutate: editLivekit((config) => delete config.key_file),
      address: livekitFile,
      message: 'key_file is not set',
    },
    {
      name: 'development mode',
      mutate: editLivekit((config) => (config.development = true)),
      address: livekitFile,
      message: 'development is true',
    },
    {
      name: "the address asked of a third party's STUN server",
      mutate: editLivekit((config) => (section(config, 'rtc').use_external_ip = true)),
      address: livekitFile,
      message: 'rtc.use_external_ip is true, must be false',
    },
    {
      name: 'rtc.use_external_ip unset, without site facts',
      mutate: editLivekit((config) => delete section(config, 'rtc').use_external_ip),
      address: livekitFile,
      message: 'rtc.use_external_ip is (absent)',
      context: STANDALONE_CONTEXT,
    },
  ],
  good: [
    { name: 'the rendered LiveKit configuration and authorisation service (fixture)', mutate: () => undefined },
    {
      name: 'another key file path, in both programs',
      mutate: (j) => {
        setRtcAuthEnv('LIVEKIT_KEY_FILE', OTHER_KEY_FILE)(j);
        editLivekit((config) => (config.key_file = OTHER_KEY_FILE))(j);
      },
    },
    {
      name: 'the own server name with its default port, comma separated',
      mutate: setRtcAuthEnv(FULL_ACCESS, `${SITE_HOMESERVER.serverName}:443,`),
    },
    {
      name: 'another homeserver without site facts (only wildcards are judged)',
      mutate: setRtcAuthEnv(FULL_ACCESS, 'matrix.elsewhere.example'),
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'development explicitly off',
      mutate: editLivekit((config) => (config.development = false)),
    },
  ],
  notApplicable: [
    {
      name: 'no LiveKit configuration and no authorisation service',
      mutate: (j) => {
        remove(j, R.livekitConfig);
        remove(j, R.rtcAuthDeployment);
      },
    },
  ],
};
