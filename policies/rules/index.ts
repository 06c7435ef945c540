/** Every rule, grouped by category (the catalogue: docs/controls.md). */
import type { Rule } from '../rule';
import { APP_RULES } from './app';
import { GOV_RULES } from './gov';
import { IMG_RULES } from './img';
import { LOG_RULES } from './log';
import { NET_RULES } from './net';
import { POD_RULES } from './pod';
import { RBAC_RULES } from './rbac';
import { RES_RULES } from './res';
import { SEC_RULES } from './sec';
import { STO_RULES } from './sto';

export const ALL_RULES: readonly Rule[] = [...POD_RULES, ...NET_RULES, ...SEC_RULES, ...RBAC_RULES, ...IMG_RULES, ...RES_RULES, ...STO_RULES, ...APP_RULES, ...LOG_RULES, ...GOV_RULES];
