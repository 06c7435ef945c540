/** NET rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { NET_RULES } from '../../policies/rules/net';
import { describeRules } from './rule-suite';

describeRules(NET_RULES);
