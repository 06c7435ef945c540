import { STO_01 } from './STO-01';
import { STO_03 } from './STO-03';

export const STO_RULES = [STO_01, STO_03];
