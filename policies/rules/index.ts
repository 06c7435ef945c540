/**
 * The control catalogue: every rule, one file each (`<category>/<ID>.ts`, exporting `rule`), in
 * the order the reports list them. A test checks that every rule file is listed here, that each
 * rule's id is its file name and its category its folder.
 */
import type { Rule } from '../rule';
import { rule as APP_01 } from './app/APP-01';
import { rule as APP_02 } from './app/APP-02';
import { rule as APP_03 } from './app/APP-03';
import { rule as APP_04 } from './app/APP-04';
import { rule as APP_05 } from './app/APP-05';
import { rule as APP_06 } from './app/APP-06';
import { rule as APP_07 } from './app/APP-07';
import { rule as APP_08 } from './app/APP-08';
import { rule as APP_09 } from './app/APP-09';
import { rule as APP_10 } from './app/APP-10';
import { rule as APP_11 } from './app/APP-11';
import { rule as BAK_01 } from './bak/BAK-01';
import { rule as BAK_02 } from './bak/BAK-02';
import { rule as BAK_03 } from './bak/BAK-03';
import { rule as BAK_04 } from './bak/BAK-04';
import { rule as BAK_05 } from './bak/BAK-05';
import { rule as BAK_06 } from './bak/BAK-06';
import { rule as BAK_07 } from './bak/BAK-07';
import { rule as CLI_01 } from './cli/CLI-01';
import { rule as CLI_02 } from './cli/CLI-02';
import { rule as GOV_01 } from './gov/GOV-01';
import { rule as IDN_01 } from './idn/IDN-01';
import { rule as IDN_02 } from './idn/IDN-02';
import { rule as IDN_03 } from './idn/IDN-03';
import { rule as IDN_04 } from './idn/IDN-04';
import { rule as IMG_01 } from './img/IMG-01';
import { rule as IMG_02 } from './img/IMG-02';
import { rule as IMG_03 } from './img/IMG-03';
import { rule as LOG_01 } from './log/LOG-01';
import { rule as LOG_02 } from './log/LOG-02';
import { rule as LOG_03 } from './log/LOG-03';
import { rule as NET_01 } from './net/NET-01';
import { rule as NET_02 } from './net/NET-02';
import { rule as NET_03 } from './net/NET-03';
import { rule as NET_04 } from './net/NET-04';
import { rule as NET_05 } from './net/NET-05';
import { rule as NET_06 } from './net/NET-06';
import { rule as NET_07 } from './net/NET-07';
import { rule as NET_08 } from './net/NET-08';
import { rule as NET_09 } from './net/NET-09';
import { rule as NET_10 } from './net/NET-10';
import { rule as NET_11 } from './net/NET-11';
import { rule as NET_12 } from './net/NET-12';
import { rule as POD_01 } from './pod/POD-01';
import { rule as POD_02 } from './pod/POD-02';
import { rule as POD_03 } from './pod/POD-03';
import { rule as POD_04 } from './pod/POD-04';
import { rule as POD_05 } from './pod/POD-05';
import { rule as POD_06 } from './pod/POD-06';
import { rule as POD_07 } from './pod/POD-07';
import { rule as POD_08 } from './pod/POD-08';
import { rule as POD_09 } from './pod/POD-09';
import { rule as POD_10 } from './pod/POD-10';
import { rule as POD_11 } from './pod/POD-11';
import { rule as RBAC_01 } from './rbac/RBAC-01';
import { rule as RBAC_02 } from './rbac/RBAC-02';
import { rule as RBAC_03 } from './rbac/RBAC-03';
import { rule as RBAC_04 } from './rbac/RBAC-04';
import { rule as RES_01 } from './res/RES-01';
import { rule as RES_02 } from './res/RES-02';
import { rule as RES_03 } from './res/RES-03';
import { rule as RTC_01 } from './rtc/RTC-01';
import { rule as RTC_02 } from './rtc/RTC-02';
import { rule as SEC_01 } from './sec/SEC-01';
import { rule as SEC_02 } from './sec/SEC-02';
import { rule as SEC_03 } from './sec/SEC-03';
import { rule as SEC_04 } from './sec/SEC-04';
import { rule as SEC_05 } from './sec/SEC-05';
import { rule as SEC_06 } from './sec/SEC-06';
import { rule as SEC_07 } from './sec/SEC-07';
import { rule as STO_01 } from './sto/STO-01';
import { rule as STO_02 } from './sto/STO-02';
import { rule as STO_03 } from './sto/STO-03';
import { rule as STO_04 } from './sto/STO-04';

export const ALL_RULES: readonly Rule[] = [
  POD_01,
  POD_02,
  POD_03,
  POD_04,
  POD_05,
  POD_06,
  POD_07,
  POD_08,
  POD_09,
  POD_10,
  POD_11,
  NET_01,
  NET_02,
  NET_03,
  NET_04,
  NET_05,
  NET_06,
  NET_07,
  NET_08,
  NET_09,
  NET_10,
  NET_11,
  NET_12,
  SEC_01,
  SEC_02,
  SEC_03,
  SEC_04,
  SEC_05,
  SEC_06,
  SEC_07,
  RBAC_01,
  RBAC_02,
  RBAC_03,
  RBAC_04,
  IMG_01,
  IMG_02,
  IMG_03,
  RES_01,
  RES_02,
  RES_03,
  STO_01,
  STO_02,
  STO_03,
  STO_04,
  BAK_01,
  BAK_02,
  BAK_03,
  BAK_04,
  BAK_05,
  BAK_06,
  BAK_07,
  APP_01,
  APP_02,
  APP_03,
  APP_04,
  APP_05,
  APP_06,
  APP_07,
  APP_08,
  APP_09,
  APP_10,
  APP_11,
  IDN_01,
  IDN_02,
  IDN_03,
  IDN_04,
  CLI_01,
  CLI_02,
  RTC_01,
  RTC_02,
  LOG_01,
  LOG_02,
  LOG_03,
  GOV_01,
];
