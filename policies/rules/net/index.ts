import { NET_01 } from './NET-01';
import { NET_02 } from './NET-02';
import { NET_03 } from './NET-03';
import { NET_04 } from './NET-04';
import { NET_05 } from './NET-05';
import { NET_06 } from './NET-06';
import { NET_07 } from './NET-07';
import { NET_08 } from './NET-08';
import { NET_09 } from './NET-09';
import { NET_10 } from './NET-10';
import { NET_11 } from './NET-11';

export const NET_RULES = [NET_01, NET_02, NET_03, NET_04, NET_05, NET_06, NET_07, NET_08, NET_09, NET_10, NET_11];
