/** IMG rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { IMG_RULES } from '../../policies/rules/img';
import { describeRules } from './rule-suite';

describeRules(IMG_RULES);
