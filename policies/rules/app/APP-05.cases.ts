/** The case table of APP-05 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires, rawLine } from '../../../test/policies/case-helpers/app';
import { synapseConfigFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';

export const cases: RuleCases = {
  bad: [
    fires(
      'encryption by default off',
      'encryption_enabled_by_default_for_room_type',
      'off',
      'encryption_enabled_by_default_for_room_type is "off", must be "all"',
    ),
    fires('encryption for invite-only rooms only', 'encryption_enabled_by_default_for_room_type', 'invite', 'is "invite", must be "all"'),
    fires(
      'setting absent',
      'encryption_enabled_by_default_for_room_type',
      undefined,
      'encryption_enabled_by_default_for_room_type is (absent), must be "all" (Synapse\'s default "off" leaves rooms in clear text)',
    ),
    {
      name: 'bare off in YAML 1.1 (the boolean false)',
      mutate: rawLine('encryption_enabled_by_default_for_room_type: "all"', 'encryption_enabled_by_default_for_room_type: off'),
      address: synapseConfigFile,
      message: 'encryption_enabled_by_default_for_room_type is false, must be "all"',
    },
  ],
  good: [
    {
      name: 'bare all in YAML 1.1 (a string)',
      mutate: rawLine('encryption_enabled_by_default_for_room_type: "all"', 'encryption_enabled_by_default_for_room_type: all'),
    },
  ],
};
