import { normalizedServerName } from '../../../config/cross-checks';
import { livekitConfigFiles, rtcAuthContainers, type RtcAuthContainer } from '../../../tfjson/calls';
import { shown } from '../../../tfjson/synapse-config';
import { isObject } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

/** Environment variables that would carry the SFU's API secret (or its pair) instead of a file. */
const SECRET_VARIABLES = ['LIVEKIT_SECRET', 'LIVEKIT_KEY', 'LIVEKIT_KEYS', 'LIVEKIT_API_SECRET'];

function serviceProblems(container: RtcAuthContainer, context: AuditContext): string[] {
  // Presence is judged on every variable: a secret taken from a Secret's key is in the environment all the same.
  const { env, names } = container;
  const problems: string[] = [];
  const fleet = context.facts?.homeservers.map((homeserver) => normalizedServerName(homeserver.serverName));
  const fullAccess = (env.LIVEKIT_FULL_ACCESS_HOMESERVERS ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
  if (fullAccess.length === 0) problems.push('LIVEKIT_FULL_ACCESS_HOMESERVERS is not set to the homeserver it serves');
  for (const entry of fullAccess) {
    if (entry.includes('*'))
      problems.push(`LIVEKIT_FULL_ACCESS_HOMESERVERS holds ${JSON.stringify(entry)}: any homeserver's users could open rooms`);
    else if (fleet && !fleet.includes(normalizedServerName(entry)))
      problems.push(`LIVEKIT_FULL_ACCESS_HOMESERVERS names ${JSON.stringify(entry)}, which is no homeserver of this deployment`);
  }
  if (names.includes('LIVEKIT_INSECURE_SKIP_VERIFY_TLS'))
    problems.push("LIVEKIT_INSECURE_SKIP_VERIFY_TLS is set: anyone answering for a homeserver's name could vouch for any user");
  for (const name of SECRET_VARIABLES)
    if (names.includes(name))
      problems.push(`${name} is in the environment: the API secret must come from a mounted file (LIVEKIT_KEY_FILE)`);
  if (!env.LIVEKIT_KEY_FILE) problems.push('LIVEKIT_KEY_FILE is not set: the API secret has no file to come from');
  return problems;
}

function livekitProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const room = isObject(config.room) ? config.room : {};
  if (room.auto_create !== false)
    problems.push(`room.auto_create is ${shown(room.auto_create)}, must be false: any valid token would open a room`);
  if ('keys' in config) problems.push('keys holds the API secret in the configuration: use key_file');
  if (typeof config.key_file !== 'string' || config.key_file === '') problems.push('key_file is not set');
  if (config.development === true) problems.push('development is true: LiveKit then runs with well-known development keys');
  const rtc = isObject(config.rtc) ? config.rtc : {};
  if (rtc.use_external_ip !== false)
    problems.push(
      `rtc.use_external_ip is ${shown(rtc.use_external_ip)}, must be false: the address would be asked of a third party's STUN server`,
    );
  return problems;
}

/**
 * Calls are for the homeserver's own users: the authorisation service creates rooms only for
 * this deployment's homeservers (never `*`), verifies the homeserver's TLS, and reads the API
 * secret from a file; LiveKit opens no room on a token alone, holds no key in its configuration,
 * never runs in development mode and asks no third party for its address.
 */
export const rule: Rule = {
  id: 'RTC-01',
  title: "Calls are for the homeserver's own users, with the API secret in a file",
  level: 'error',
  lesson:
    'A call service that opens rooms for any homeserver, trusts whoever answers for a name, or keeps its signing secret in the environment is an open relay for strangers and a key waiting to leak.',
  references: { nsaCisa: 'Authentication and authorization; Secrets: mount as files' },
  fix: "Set LIVEKIT_FULL_ACCESS_HOMESERVERS to the homeserver's own server name, never LIVEKIT_INSECURE_SKIP_VERIFY_TLS, and LIVEKIT_KEY_FILE instead of LIVEKIT_KEY/LIVEKIT_SECRET (workloads/calls-workloads.ts); in LiveKit's configuration room.auto_create: false, key_file and no keys, no development mode, rtc.use_external_ip: false (render/calls/livekit-config.ts).",
  siteFacts: {
    facts: ['homeservers'],
    unjudged: 'whether the full-access homeservers are homeservers of this deployment (only wildcards are judged)',
  },
  appliesTo: {
    subject: 'LiveKit configuration or MatrixRTC authorisation service',
    presentIn: (stack) => livekitConfigFiles(stack).length > 0 || rtcAuthContainers(stack).length > 0,
  },
  check: (stack, context) => [
    ...rtcAuthContainers(stack).flatMap((container): Violation[] =>
      serviceProblems(container, context).map((message) => ({ address: container.address, message })),
    ),
    ...livekitConfigFiles(stack).flatMap((file): Violation[] =>
      livekitProblems(file.config).map((message) => ({ address: file.address, message })),
    ),
  ],
};
