/** The case table of APP-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires } from '../../../test/policies/case-helpers/app';
import { setSynapse, synapseConfigFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';

const PATTERN = (pattern: string) => setSynapse('allowed_local_3pids', [{ medium: 'email', pattern }]);

export const cases: RuleCases = {
  bad: [
    {
      name: 'pattern without ^',
      mutate: PATTERN('[^@\\s]+@agency\\.example\\.org\\Z'),
      address: synapseConfigFile,
      message: 'does not start with ^',
    },
    {
      name: 'pattern ending with $ (matches before a trailing newline)',
      mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org$'),
      address: synapseConfigFile,
      message: 'ends with $, which also matches before a trailing newline; end with \\Z',
    },
    {
      name: 'pattern not anchored at the end',
      mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org'),
      address: synapseConfigFile,
      message: 'is not anchored at the end with \\Z',
    },
    {
      name: 'pattern ending with an escaped backslash and Z',
      mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org\\\\Z'),
      address: synapseConfigFile,
      message: 'is not anchored at the end with \\Z',
    },
    {
      name: 'unescaped dots in the domain',
      mutate: PATTERN('^[^@\\s]+@agency.example.org\\Z'),
      address: synapseConfigFile,
      message: 'has an unescaped "." that matches any character',
    },
    {
      name: 'any local part (.*)',
      mutate: PATTERN('^.*@agency\\.example\\.org\\Z'),
      address: synapseConfigFile,
      message: 'has an unescaped "."',
    },
    {
      name: 'top-level alternation',
      mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org\\Z|staff'),
      address: synapseConfigFile,
      message: 'has a top-level "|"',
    },
    fires(
      'allowed_local_3pids absent',
      'allowed_local_3pids',
      undefined,
      'allowed_local_3pids is (absent): any email address can be bound',
    ),
    fires('allowed_local_3pids empty', 'allowed_local_3pids', [], 'allowed_local_3pids is []: any email address can be bound'),
    fires('pattern not a string', 'allowed_local_3pids', [{ medium: 'email' }], 'allowed_local_3pids[0].pattern is not a string'),
    fires('3PID errors revealed', 'request_token_inhibit_3pid_errors', false, 'request_token_inhibit_3pid_errors is false, must be true'),
    fires(
      'request_token_inhibit_3pid_errors absent',
      'request_token_inhibit_3pid_errors',
      undefined,
      'request_token_inhibit_3pid_errors is (absent), must be true',
    ),
    fires('3PID lookup on', 'enable_3pid_lookup', true, 'enable_3pid_lookup is true, must be false'),
    fires('3PID changes absent (default on)', 'enable_3pid_changes', undefined, 'enable_3pid_changes is (absent), must be false'),
    fires('display names changeable', 'enable_set_displayname', true, 'enable_set_displayname is true'),
    fires('avatars changeable', 'enable_set_avatar_url', true, 'enable_set_avatar_url is true'),
  ],
  good: [
    {
      name: 'two domains, each anchored and escaped',
      mutate: setSynapse('allowed_local_3pids', [
        { medium: 'email', pattern: '^[^@\\s]+@agency\\.example\\.org\\Z' },
        { medium: 'email', pattern: '^[^@\\s]+@staff\\.agency\\.example\\.org\\Z' },
      ]),
    },
    { name: 'a dot inside a character class', mutate: PATTERN('^[a-z0-9._%+-]+@agency\\.example\\.org\\Z') },
    { name: 'alternation inside a group', mutate: PATTERN('^[^@\\s]+@(agency|staff\\.agency)\\.example\\.org\\Z') },
  ],
};
