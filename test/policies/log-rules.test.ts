/** LOG rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { LOG_RULES } from '../../policies/rules/log';
import { describeRules } from './rule-suite';

describeRules(LOG_RULES);
