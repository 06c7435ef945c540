import { LOG_01 } from './LOG-01';
import { LOG_02 } from './LOG-02';
import { LOG_03 } from './LOG-03';

export const LOG_RULES = [LOG_01, LOG_02, LOG_03];
