import { GOV_01 } from './GOV-01';

export const GOV_RULES = [GOV_01];
