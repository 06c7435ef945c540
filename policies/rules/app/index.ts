import { APP_01 } from './APP-01';
import { APP_02 } from './APP-02';
import { APP_03 } from './APP-03';
import { APP_04 } from './APP-04';
import { APP_05 } from './APP-05';
import { APP_06 } from './APP-06';
import { APP_07 } from './APP-07';
import { APP_08 } from './APP-08';
import { APP_09 } from './APP-09';
import { APP_10 } from './APP-10';
import { APP_11 } from './APP-11';

export const APP_RULES = [APP_01, APP_02, APP_03, APP_04, APP_05, APP_06, APP_07, APP_08, APP_09, APP_10, APP_11];
