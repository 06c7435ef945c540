/** RES rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { RES_RULES } from '../../policies/rules/res';
import { describeRules } from './rule-suite';

describeRules(RES_RULES);
