/** STO rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { STO_RULES } from '../../policies/rules/sto';
import { describeRules } from './rule-suite';

describeRules(STO_RULES);
