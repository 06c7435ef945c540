/** POD rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { POD_RULES } from '../../policies/rules/pod';
import { describeRules } from './rule-suite';

describeRules(POD_RULES);
