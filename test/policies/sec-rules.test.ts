/** SEC rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { SEC_RULES } from '../../policies/rules/sec';
import { describeRules } from './rule-suite';

describeRules(SEC_RULES);
