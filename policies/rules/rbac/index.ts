import { RBAC_01 } from './RBAC-01';
import { RBAC_02 } from './RBAC-02';
import { RBAC_03 } from './RBAC-03';
import { RBAC_04 } from './RBAC-04';

export const RBAC_RULES = [RBAC_01, RBAC_02, RBAC_03, RBAC_04];
