/** Every rule implemented so far, grouped by category (DESIGN.md section 5). */
import type { Rule } from '../rule';
import { IMG_RULES } from './img';
import { NET_RULES } from './net';
import { POD_RULES } from './pod';
import { RBAC_RULES } from './rbac';
import { RES_RULES } from './res';
import { SEC_RULES } from './sec';
import { STO_RULES } from './sto';

export const ALL_RULES: readonly Rule[] = [...POD_RULES, ...NET_RULES, ...SEC_RULES, ...RBAC_RULES, ...IMG_RULES, ...RES_RULES, ...STO_RULES];
