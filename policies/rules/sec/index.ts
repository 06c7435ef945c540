import { SEC_01 } from './SEC-01';
import { SEC_02 } from './SEC-02';
import { SEC_03 } from './SEC-03';
import { SEC_04 } from './SEC-04';
import { SEC_05 } from './SEC-05';
import { SEC_06 } from './SEC-06';
import { SEC_07 } from './SEC-07';

export const SEC_RULES = [SEC_01, SEC_02, SEC_03, SEC_04, SEC_05, SEC_06, SEC_07];
