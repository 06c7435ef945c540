import { POD_01 } from './POD-01';
import { POD_02 } from './POD-02';
import { POD_03 } from './POD-03';
import { POD_04 } from './POD-04';
import { POD_05 } from './POD-05';
import { POD_06 } from './POD-06';
import { POD_07 } from './POD-07';
import { POD_08 } from './POD-08';
import { POD_09 } from './POD-09';

export const POD_RULES = [POD_01, POD_02, POD_03, POD_04, POD_05, POD_06, POD_07, POD_08, POD_09];
