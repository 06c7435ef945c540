import { LOG_01 } from './LOG-01';
import { LOG_02 } from './LOG-02';

export const LOG_RULES = [LOG_01, LOG_02];
