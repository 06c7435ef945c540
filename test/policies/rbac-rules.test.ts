/** RBAC rules: compliant fixture passes, every violation in FIRING_CASES fires. */
import { RBAC_RULES } from '../../policies/rules/rbac';
import { describeRules } from './rule-suite';

describeRules(RBAC_RULES);
