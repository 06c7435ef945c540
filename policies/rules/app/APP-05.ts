import { auditSynapseSettings, mustEqual, SYNAPSE } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/**
 * Every new room is end-to-end encrypted, public ones included. Written as the string "all"
 * (a YAML 1.1 `off` would be the boolean false).
 */
export const rule: Rule = {
  id: 'APP-05',
  title: 'Rooms are end-to-end encrypted by default',
  level: 'error',
  lesson: 'Unencrypted public rooms were read in bulk from the server: content the server cannot read cannot leak from it.',
  references: { nsaCisa: 'Network separation and hardening: encrypt data in transit' },
  fix: 'Set encryption_enabled_by_default_for_room_type: "all" (quoted).',
  appliesTo: SYNAPSE,
  check: (stack, context) =>
    auditSynapseSettings(stack, context, [
      mustEqual('encryption_enabled_by_default_for_room_type', 'all', 'Synapse\'s default "off" leaves rooms in clear text'),
    ]),
};
