import { STO_01 } from './STO-01';
import { STO_02 } from './STO-02';
import { STO_03 } from './STO-03';

export const STO_RULES = [STO_01, STO_02, STO_03];
