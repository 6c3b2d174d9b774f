/**
 * security.md #62 through installSessions and HTTP: a directory storage built from the spec trusts
 * neither a folder nor a session file that another user could have written, and is bounded like the
 * memory storage. The tests run as root, so "another user" is uid 65534 (nobody). Requests on one session
 * take turns on it as on any storage.
 */
import { chmod, chown, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage, SessionConfigError } from 'typed-sessions';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { spec } from '../runtime/fixtures.js';
import { describeTurns } from '../runtime/races.js';
import { createVisit, readVisit, START, startServer, type ServerOptions, type TestServer } from '../runtime/server.js';

const NOBODY = 65534;
const SESSION_FILE = /^[0-9a-f]{64}$/;

let root: string;
let folders = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'typed-sessions-directory-http-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function onFolder(path: string, maxEntries = 100): ServerOptions {
  return {
    spec: { ...spec, storages: { mem: { kind: 'directory', path, maxEntries } } },
    // No storage instance: the middleware builds the spec's. The test server's 200 ms storage timeout
    // could fire for files on a loaded machine: not what is tested.
    install: { storages: {}, storageTimeout: 10_000 },
  };
}

/** A folder holding one session, as an attacker who could write there would plant it: its id is known to them. */
async function plantedFolder(): Promise<{ folder: string; file: string }> {
  const folder = join(root, `planted-${++folders}`);
  const planter = new DirectoryStorage({ path: folder, maxEntries: 10, clock: () => START });
  const key = storageKeyForId('visit', generateSessionId());
  await planter.write(key, `${START / 1000}.${START / 1000}.{"count":666}`, 3600);
  const [name] = await readdir(folder);
  return { folder, file: join(folder, name!) };
}

async function startupError(folder: string): Promise<Error> {
  const started = await startServer(onFolder(folder)).then(
    async (server) => {
      await server.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  expect(started).toBeInstanceOf(SessionConfigError);
  return started as Error;
}

describe('#62 directory storage: startup refusals', () => {
  it.each([
    ['world-writable (mode 777)', 0o777, 'its group and others (mode 777)'],
    ['group-writable (mode 770)', 0o770, 'its group (mode 770)'],
    ['writable by others (mode 703)', 0o703, 'others (mode 703)'],
  ])('#62 a folder that is %s is refused at startup, naming the folder and chmod 700', async (_label, mode, who) => {
    const { folder } = await plantedFolder();
    await chmod(folder, mode);
    expect((await startupError(folder)).message).toBe(
      `DirectoryStorage: folder ${folder} is writable by ${who}, so another user could plant or replace sessions in it; run chmod 700 ${folder}`,
    );
  });

  it('#62 a folder owned by another user is refused at startup, naming the folder, the owner and the fix', async () => {
    const { folder } = await plantedFolder();
    await chown(folder, NOBODY, NOBODY);
    expect((await startupError(folder)).message).toBe(
      `DirectoryStorage: folder ${folder} belongs to uid ${NOBODY}, not to uid 0 that this process runs as, so another user could plant or replace sessions in it; use a folder of this user's, or run chown 0 ${folder} && chmod 700 ${folder}`,
    );
  });

  it.each([
    ['owned by another user', (file: string) => chown(file, NOBODY, NOBODY), `belongs to uid ${NOBODY}, not to uid 0 that this process runs as`],
    ['writable by others (mode 666)', (file: string) => chmod(file, 0o666), 'is writable by its group and others (mode 666)'],
    ['writable by its group (mode 620)', (file: string) => chmod(file, 0o620), 'is writable by its group (mode 620)'],
    [
      'that is a symbolic link',
      async (file: string) => {
        await rm(file);
        await symlink('/etc/hostname', file);
      },
      'is not a regular file',
    ],
  ])('#62 a session file %s, in a folder of ours, is refused at startup, naming the file', async (_label, plant, problem) => {
    const { folder, file } = await plantedFolder();
    await plant(file);
    expect((await startupError(folder)).message).toBe(
      `DirectoryStorage: ${file} ${problem}, so it may have been planted to be served as a session; check it, remove it (rm ${file}) and start again`,
    );
  });

  it('#62 a folder that does not exist yet is created with mode 0700 at startup, before any request', async () => {
    const folder = join(root, `fresh-${++folders}`, 'sessions');
    const server = await startServer(onFolder(folder));
    try {
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
    }
  });
});

describe('#62 directory storage: bounded like memory', () => {
  let server: TestServer;
  let folder: string;
  beforeAll(async () => {
    folder = join(root, `bounded-${++folders}`);
    server = await startServer(onFolder(folder, 5));
  });
  afterAll(() => server.close());

  it('#62 the folder holds at most maxEntries sessions: past it a file not used again since written goes, one evicted event each', async () => {
    const user = await createVisit(server.url);
    const early: string[] = [];
    for (let index = 0; index < 4; index += 1) early.push(await createVisit(server.url));
    expect(await readVisit(server.url, user)).toEqual({ value: { count: 1 } });
    for (let index = 0; index < 4; index += 1) await createVisit(server.url);

    expect((await readdir(folder)).filter((name) => SESSION_FILE.test(name))).toHaveLength(5);
    expect(await readVisit(server.url, user)).toEqual({ value: { count: 1 } });
    for (const id of early) expect(await readVisit(server.url, id)).toEqual({ value: null });
    expect(server.events.filter((event) => event.type === 'evicted')).toEqual(Array.from({ length: 4 }, () => ({ type: 'evicted', storage: 'mem' })));
  });
});

describeTurns('directory', (options) => startServer({ ...onFolder(join(root, 'turns')), ...options }));
