/** APP rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { APP_RULES } from '../../policies/rules/app';
import { describeRules } from './rule-suite';

describeRules(APP_RULES);
