import { RES_01 } from './RES-01';
import { RES_02 } from './RES-02';

export const RES_RULES = [RES_01, RES_02];
