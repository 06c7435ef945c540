/**
 * The store backup programs parsed by BusyBox's sh, the shell of the Alpine images that run them
 * (rclone's, OpenBao's); Debian's sh and everything else about them is checked in
 * store-backup.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { PROGRAMS } from './store-backup-programs';

describe('the scripts', () => {
  it.each(PROGRAMS)("%s: parses with BusyBox's sh", (_name, program) => {
    expect(program.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const parsed = spawnSync('/bin/busybox', ['sh', '-n', '-c', program.command[2]!], { encoding: 'utf8' });
    expect({ stderr: parsed.stderr, status: parsed.status }).toEqual({ stderr: '', status: 0 });
  });
});
