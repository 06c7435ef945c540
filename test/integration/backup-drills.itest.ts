/**
 * Backup drills with the real software on loopback: the homeserver booted as in
 * homeserver.itest.ts, its database a Cluster's instances set up as CloudNativePG does
 * (support/postgres-instance.ts) with the rendered parameters and pg_hba rules, archiving WAL
 * and taking a base backup with the real barman-cloud tools, configured from the rendered
 * ObjectStore, into a real S3-compatible server (versitygw) over HTTPS.
 *
 *  1. Restore: people write rooms and messages through the gateway; the primary is killed
 *     (SIGKILL) and its data directory destroyed; a new server is restored from the object
 *     store (base backup, then WAL to the end of the archive); Synapse starts on it. Every
 *     message older than the archive bound is there; the ones lost are counted (RPO), and the
 *     time from the crash to Synapse serving again is measured (RTO).
 *  2. Failover: a streaming standby (pg_basebackup, replication over verified TLS with a client
 *     certificate), synchronous; the primary is killed while clients keep sending; the standby
 *     is promoted and the -rw name moved to it; Synapse reconnects by itself. Failed requests
 *     are counted; every acknowledged message must be on the new primary.
 *
 * Measurements go to reports/backup-drills/ (see docs/testing.md, "Backup drills").
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { postgresParameters, POSTGRES_DATABASE } from '../../render/postgres';
import { giveToServer, postgresBinDirectory, runAsServer } from '../support/postgres';
import { waitFor } from '../support/sandbox';
import { versitygwBinary } from '../support/versitygw';
import { ensureBarmanCloudVenv } from './support/barman-cloud';
import { bootDrillDatabase, DRILL_ADDRESSES, type DrillDatabase } from './support/drill-database';
import { DrillReport, seconds } from './support/drill-report';
import { bootHomeserver, PROFILE_FILE, type DirectoryUser, type Homeserver } from './support/homeserver';
import { after, sendUntil, Session, type AcknowledgedMessage } from './support/message-traffic';
import {
  instancePaths,
  issueInstanceCertificates,
  primaryConninfo,
  startInstance,
  stopInstance,
  writeConfiguration,
  type RunningInstance,
} from './support/postgres-instance';

const BOOT_DEADLINE_MS = 3 * 60_000;
/** Synapse limits each sender (rc_message: a burst of 10, then one message every 5 s); eight senders keep traffic flowing. */
const WRITERS = 8;
/** The archive bound: a segment is switched and archived at the latest this long after its first write. */
const ARCHIVE_TIMEOUT_MS = durationMs(postgresParameters().archive_timeout ?? '5min');
/** Allowance on top of the bound for the archiver's upload of the switched segment. */
const ARCHIVE_UPLOAD_ALLOWANCE_MS = 10_000;
/** The restore drill writes past one whole archive window, so that messages older than the bound exist. */
const RESTORE_WRITE_MS = ARCHIVE_TIMEOUT_MS + 20_000;
const FAILOVER_BEFORE_MS = 10_000;
const FAILOVER_AFTER_MS = 10_000;
jest.setTimeout(10 * 60_000);

function durationMs(text: string): number {
  const match = /^([0-9]+)\s*(s|min)$/.exec(text);
  if (!match) throw new Error(`archive_timeout ${text}: expected <n>s or <n>min`);
  return Number(match[1]) * (match[2] === 'min' ? 60_000 : 1_000);
}

const writers: DirectoryUser[] = Array.from({ length: WRITERS }, (_, index) => ({
  uid: `writer${index + 1}`,
  mail: `writer${index + 1}@agency.example.org`,
  member: true,
  password: randomBytes(18).toString('base64url'),
}));

const report = new DrillReport();
let hs: Homeserver | undefined;
let database: DrillDatabase | undefined;
let sessions: Session[] = [];
/** The primary after the restore drill (the failover drill's starting point). */
let primary: RunningInstance | undefined;
let failed = false;

const server = () => {
  if (!hs || !database) throw new Error('the homeserver did not boot');
  return { hs, database };
};

/** Wraps a test body so that its failure keeps the run directory and every server's log. */
function tracked(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

/** Message event ids of `acknowledged` present in the database of `instance`. */
function presentIn(instance: RunningInstance, acknowledged: readonly AcknowledgedMessage[]): Set<string> {
  const stored = new Set(instance.psql("SELECT event_id FROM events WHERE type = 'm.room.message'", POSTGRES_DATABASE).split('\n'));
  return new Set(acknowledged.map((message) => message.eventId).filter((id) => stored.has(id)));
}

/** One message through the gateway, retried until Synapse serves it; resolves at the first success. */
async function servingAgain(session: Session, deadline: number): Promise<void> {
  await waitFor(
    'Synapse serving a new message through the gateway',
    deadline,
    async () =>
      (
        await session.call(
          'PUT',
          `/_matrix/client/v3/rooms/${encodeURIComponent(session.roomId ?? '')}/send/m.room.message/probe-${randomBytes(6).toString('hex')}`,
          {
            msgtype: 'm.text',
            body: 'serving again?',
          },
        )
      ).status === 200,
  );
}

beforeAll(
  tracked(async () => {
    const started = Date.now();
    // Cold machines build these first (a venv from PyPI, versitygw from the Go module proxy); the boot deadline starts after them.
    const venv = ensureBarmanCloudVenv();
    versitygwBinary();
    report.fact('tier', 'tools ready (s, cached after the first run)', seconds(Date.now() - started));
    const config = loadDeploymentConfig(PROFILE_FILE);
    const homeserver = config.homeservers[0];
    if (!homeserver) throw new Error('the integration profile has no homeserver');
    hs = await bootHomeserver({
      users: writers,
      bootDeadlineMs: BOOT_DEADLINE_MS,
      database: async (context) => {
        database = await bootDrillDatabase(context, config, homeserver, venv);
      },
    });
    report.fact('tier', 'boot (s)', seconds(hs.bootMs));
    const booted = hs;
    sessions = writers.map((writer) => new Session({ ...writer, endpoint: booted.gatewayClient(`drill writer ${writer.uid}`) }));
    for (const session of sessions) await session.createRoom();
    primary = server().database.primary;
  }),
  30 * 60_000,
);

afterAll(async () => {
  process.stdout.write(`\n${report.write()}\n`);
  // The database first, while the object store still takes its last WAL segment.
  if (primary) await stopInstance(primary, 20_000);
  // MATRIX_ITEST_KEEP=1 keeps the run directory (configs, data, logs) after a green run too.
  await hs?.stop(failed || process.env.MATRIX_ITEST_KEEP === '1');
}, 60_000);

describe('restore drill: the primary and its volume lost, the database restored from the object store', () => {
  it(
    'restores every message older than the archive bound, counts the ones in the window, and Synapse serves again',
    tracked(async () => {
      const { hs: home, database: db } = server();
      const drill = 'restore';
      const crashed = primary;
      if (!crashed) throw new Error('no primary');
      const socket = instancePaths(crashed.spec).socket;
      const backup = await report.time(drill, 'base backup (s)', () =>
        db.barman({ tool: 'backup', host: socket, user: 'postgres', backupName: 'drill-base', immediateCheckpoint: true }, 180_000),
      );
      expect({ status: backup.status, output: backup.status === 0 ? '' : backup.output }).toEqual({ status: 0, output: '' });

      const traffic = await sendUntil(sessions, after(RESTORE_WRITE_MS));
      const crashAt = Date.now();
      await stopInstance(crashed, 0);
      fs.rmSync(instancePaths(crashed.spec).data, { recursive: true, force: true });

      // A new server from the object store: the base backup, then every archived WAL segment to the end.
      const spec = db.spec(crashed.spec.name, DRILL_ADDRESSES.primary, 'postgres-1-restored');
      const { data } = instancePaths(spec);
      fs.mkdirSync(data, { recursive: true, mode: 0o700 });
      giveToServer(spec.root);
      const restore = await db.barman({ tool: 'restore', backupId: 'drill-base', recoveryDirectory: data }, 180_000);
      expect({ status: restore.status, output: restore.status === 0 ? '' : restore.output }).toEqual({ status: 0, output: '' });
      issueInstanceCertificates(spec);
      writeConfiguration(spec, { kind: 'recovery' });
      const restored = await startInstance(db.sandbox, spec, Date.now() + 180_000);
      await waitFor(
        'the end of recovery (promoted)',
        Date.now() + 180_000,
        async () => restored.psql('SELECT pg_is_in_recovery()') === 'f',
      );
      const recoveredAt = Date.now();
      await home.restartSynapse(120_000);
      const [first] = sessions;
      if (!first) throw new Error('no writer');
      await servingAgain(first, Date.now() + 120_000);
      const servingAt = Date.now();
      primary = restored;

      // What survived: in the database, and as a client reads it through the gateway.
      const present = presentIn(restored, traffic.acknowledged);
      const readBack = new Set<string>();
      for (const session of sessions) for (const id of await session.messageIds()) readBack.add(id);
      const lost = traffic.acknowledged.filter((message) => !present.has(message.eventId));
      const bound = crashAt - ARCHIVE_TIMEOUT_MS - ARCHIVE_UPLOAD_ALLOWANCE_MS;
      const olderThanBound = traffic.acknowledged.filter((message) => message.acknowledgedAt < bound);
      const oldestLostAge = lost.length === 0 ? 0 : crashAt - Math.min(...lost.map((message) => message.acknowledgedAt));

      report.fact(drill, 'archive_timeout (rendered, s)', ARCHIVE_TIMEOUT_MS / 1000);
      report.fact(drill, 'messages acknowledged before the crash', traffic.acknowledged.length);
      report.fact(drill, 'messages older than the bound (archive_timeout + 10 s upload allowance)', olderThanBound.length);
      report.fact(
        drill,
        'messages older than the bound present after restore',
        olderThanBound.filter((m) => present.has(m.eventId)).length,
      );
      report.fact(drill, 'messages lost (RPO, all in the last un-archived segment)', lost.length);
      report.fact(drill, 'age of the oldest lost message at the crash (s)', seconds(oldestLostAge));
      report.fact(drill, 'failed requests while writing', traffic.failed.length);
      report.fact(drill, 'crash to database recovered (s)', seconds(recoveredAt - crashAt));
      report.fact(drill, 'RTO: crash to Synapse serving a new message through the gateway (s)', seconds(servingAt - crashAt));

      expect(traffic.acknowledged.length).toBeGreaterThan(0);
      expect(olderThanBound.length).toBeGreaterThan(0);
      expect(olderThanBound.filter((message) => !present.has(message.eventId))).toEqual([]);
      expect(oldestLostAge).toBeLessThanOrEqual(ARCHIVE_TIMEOUT_MS + ARCHIVE_UPLOAD_ALLOWANCE_MS);
      // The client sees exactly what the database holds of what it was told was sent.
      expect(traffic.acknowledged.filter((message) => present.has(message.eventId) !== readBack.has(message.eventId))).toEqual([]);
      expect(traffic.failed).toEqual([]);
    }),
  );
});

describe('failover drill: a synchronous standby promoted while clients keep writing', () => {
  it(
    'loses no acknowledged message; Synapse reconnects through the -rw name by itself',
    tracked(async () => {
      const { database: db } = server();
      const drill = 'failover';
      const old = primary;
      if (!old) throw new Error('the restore drill left no primary');

      // The standby: a base backup over the replication connection (verified TLS, client certificate), then streaming.
      const spec = db.spec('postgres-2', DRILL_ADDRESSES.standby, 'postgres-2');
      const { data } = instancePaths(spec);
      fs.mkdirSync(spec.root, { recursive: true });
      issueInstanceCertificates(spec);
      giveToServer(spec.root);
      const basebackup = await report.time(drill, 'standby base backup (s)', () =>
        db.sandbox.exec(
          path.join(postgresBinDirectory(), 'pg_basebackup'),
          ['-D', data, '-X', 'stream', '-c', 'fast', '-d', primaryConninfo(spec)],
          180_000,
          {},
          true,
        ),
      );
      expect({ status: basebackup.status, output: basebackup.status === 0 ? '' : basebackup.output }).toEqual({ status: 0, output: '' });
      writeConfiguration(spec, { kind: 'standby' });
      const standby = await startInstance(db.sandbox, spec, Date.now() + 120_000);
      writeConfiguration(old.spec, { kind: 'primary', synchronousStandbys: [spec.name] });
      old.psql('SELECT pg_reload_conf()');
      await waitFor('the standby streaming synchronously', Date.now() + 120_000, async () =>
        ['quorum', 'sync'].includes(old.psql(`SELECT sync_state FROM pg_stat_replication WHERE application_name = '${spec.name}'`)),
      );
      report.fact(
        drill,
        'replication',
        old.psql(`SELECT 'TLS ' || s.version || ', ' || r.sync_state FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)`),
      );

      let killAt = 0;
      let promotedAt = 0;
      const failover = async () => {
        await after(FAILOVER_BEFORE_MS);
        killAt = Date.now();
        await stopInstance(old, 0);
        const promoted = runAsServer(path.join(postgresBinDirectory(), 'pg_ctl'), ['promote', '-w', '-D', data]);
        if (promoted.status !== 0) throw new Error(`pg_ctl promote failed: ${promoted.stderr}`);
        // The operator moves the -rw Service to the new primary.
        db.sandbox.setHosts({ ...db.sandbox.hosts(), [db.serviceName]: DRILL_ADDRESSES.standby });
        promotedAt = Date.now();
        await after(FAILOVER_AFTER_MS);
      };
      const failingOver = failover();
      const traffic = await sendUntil(sessions, failingOver);
      await failingOver;
      primary = standby;

      const present = presentIn(standby, traffic.acknowledged);
      const firstAckAfterKill = traffic.acknowledged.filter((message) => message.acknowledgedAt > killAt).map((m) => m.acknowledgedAt);
      report.fact(drill, 'messages acknowledged', traffic.acknowledged.length);
      report.fact(drill, 'acknowledged messages lost', traffic.acknowledged.length - present.size);
      report.fact(drill, 'failed requests', traffic.failed.length);
      report.fact(drill, 'rate-limited requests (429, not failures)', traffic.rateLimited);
      report.fact(drill, 'kill to promoted and the name moved (s)', seconds(promotedAt - killAt));
      report.fact(
        drill,
        'kill to the next acknowledged message (s)',
        firstAckAfterKill.length === 0 ? 'none' : seconds(Math.min(...firstAckAfterKill) - killAt),
      );
      for (const failure of traffic.failed) process.stdout.write(`failover drill: failed request: ${failure.what}\n`);

      expect(killAt).toBeGreaterThan(0);
      expect(traffic.acknowledged.filter((message) => !present.has(message.eventId))).toEqual([]);
      expect(firstAckAfterKill.length).toBeGreaterThan(0);
      expect(standby.psql('SELECT pg_is_in_recovery()')).toBe('f');
    }),
  );
});
