import { SEC_01 } from './SEC-01';

export const SEC_RULES = [SEC_01];
