import { isObject, valueAt } from '../../../tfjson/terraform-json';
import { auditSynapseSettings, mustEqual, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

interface Scan {
  readonly last: string;
  readonly unescapedDot: boolean;
  readonly topLevelAlternation: boolean;
}

/** Tokenizes a Python regular expression just enough to see anchors, dots and alternation. */
function scan(pattern: string): Scan {
  let last = '';
  let unescapedDot = false;
  let topLevelAlternation = false;
  let inClass = false;
  let depth = 0;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index] ?? '';
    if (character === '\\') {
      last = `\\${pattern[index + 1] ?? ''}`;
      index += 1;
      continue;
    }
    if (inClass) {
      if (character === ']') inClass = false;
      last = character;
      continue;
    }
    if (character === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member of the class.
      if (pattern[index + 1] === '^') index += 1;
      if (pattern[index + 1] === ']') index += 1;
    } else if (character === '(') depth += 1;
    else if (character === ')') depth = Math.max(0, depth - 1);
    else if (character === '.') unescapedDot = true;
    else if (character === '|' && depth === 0) topLevelAlternation = true;
    last = character;
  }
  return { last, unescapedDot, topLevelAlternation };
}

/**
 * Why an allowed_local_3pids pattern can be bypassed. Synapse applies it with Python's
 * `re.match`, which anchors only at the start: the end must be anchored, and with `\Z`, because
 * `$` also matches before a trailing newline (`user@agency.example.org\n` passes `...org$`).
 */
function patternProblems(pattern: string): string[] {
  const problems: string[] = [];
  const { last, unescapedDot, topLevelAlternation } = scan(pattern);
  if (!pattern.startsWith('^')) problems.push('does not start with ^');
  if (last === '$') problems.push('ends with $, which also matches before a trailing newline; end with \\Z');
  else if (last !== '\\Z')
    problems.push('is not anchored at the end with \\Z (re.match anchors only the start: x@domain.evil.example passes)');
  if (unescapedDot) problems.push('has an unescaped "." that matches any character (agencyXexample.org passes)');
  if (topLevelAlternation) problems.push('has a top-level "|": the anchors bind to one alternative only');
  return problems;
}

const PATTERNS: SettingCheck = {
  keys: ['allowed_local_3pids'],
  check: (config) => {
    const entries = valueAt(config, 'allowed_local_3pids');
    // Synapse treats an absent or empty list as "any address".
    if (!Array.isArray(entries) || entries.length === 0)
      return [`allowed_local_3pids is ${entries === undefined ? '(absent)' : JSON.stringify(entries)}: any email address can be bound`];
    return entries.flatMap((entry, index) => {
      const pattern = isObject(entry) ? entry.pattern : undefined;
      if (typeof pattern !== 'string') return [`allowed_local_3pids[${index}].pattern is not a string`];
      return patternProblems(pattern).map((problem) => `allowed_local_3pids[${index}].pattern ${JSON.stringify(pattern)} ${problem}`);
    });
  },
};

const CHECKS: readonly SettingCheck[] = [
  PATTERNS,
  mustEqual('request_token_inhibit_3pid_errors', true, "Synapse's default false tells an enumerator which addresses exist"),
  mustEqual('enable_3pid_lookup', false, "Synapse's default is true"),
  mustEqual('enable_3pid_changes', false, "Synapse's default is true"),
  mustEqual('enable_set_displayname', false, "Synapse's default is true"),
  mustEqual('enable_set_avatar_url', false, "Synapse's default is true"),
];

/**
 * The email-domain rule cannot be bypassed: anchored (`^...\Z`), escaped allowed_local_3pids
 * patterns; no 3PID enumeration, lookup or change; names and avatars come from the directory.
 */
export const rule: Rule = {
  id: 'APP-03',
  title: 'The email-domain rule cannot be bypassed',
  level: 'error',
  lesson: 'The email-domain rule was bypassed with a look-alike address: a pattern that is not anchored and escaped is not a rule.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Write each allowed_local_3pids pattern as ^[^@\\s]+@<escaped domain>\\Z (the renderer does), and set request_token_inhibit_3pid_errors: true, enable_3pid_lookup: false, enable_3pid_changes: false, enable_set_displayname: false, enable_set_avatar_url: false.',
  appliesTo: SYNAPSE,
  check: (stack, context) => auditSynapseSettings(stack, context, CHECKS),
};
