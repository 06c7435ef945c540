import { RBAC_01 } from './RBAC-01';
import { RBAC_02 } from './RBAC-02';

export const RBAC_RULES = [RBAC_01, RBAC_02];
