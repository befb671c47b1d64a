import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './server.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
import { waitUntil } from './wait.ts';

/** Why Redis Sentinel cannot run here, or false: pass it as node:test's `skip`. */
export const sentinelSkip: string | false =
  spawnSync('redis-server', ['--version']).status === 0 ? false : 'redis-server is not installed (apt-get install redis-server)';

export const masterName = 'sso-master';

/**
 * A Redis master, one replica and three Sentinels, each a real `redis-server` process on loopback
 * with ports chosen now, in a directory of its own. The replica reaches the master through a relay
 * the test can pause, to hold replication back. Every process is killed by `stop`, which is safe to
 * call after a failed or partial start.
 */
export interface SentinelSet {
  /** REDIS_SENTINELS, REDIS_SENTINEL_NAME and the two passwords, for the server under test. */
  readonly env: Record<string, string>;
  /** Where the Sentinels say the master is now. */
  masterPort(): Promise<number>;
  readonly replicaPort: number;
  /** Holds back (or lets through again) everything the master sends the replica. */
  readonly replication: Pick<TcpProxy, 'pause' | 'resume'>;
  /** SIGKILL to the master: the Sentinels promote the replica. Resolves with the old master's port. */
  killMaster(): Promise<number>;
  /** Resolves once every Sentinel names the replica as the master. */
  failedOver(timeoutMs?: number): Promise<void>;
  /** Starts the killed master again as a replica of the new one, as an orchestrator restarting it would; resolves once the master has a replica online again. */
  restartOldMasterAsReplica(): Promise<void>;
  /** A client of the node on this port, for reading what it holds. */
  client(port: number): Redis;
  stop(): Promise<void>;
}

const password = randomBytes(12).toString('hex');
const sentinelPassword = randomBytes(12).toString('hex');

/** `{dir}` stands for the node's own directory. */
function nodeConfig(port: number, replicaOf?: number): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'dir {dir}',
    'save ""',
    'appendonly no',
    `requirepass ${password}`,
    `masterauth ${password}`,
    ...(replicaOf === undefined ? [] : [`replicaof 127.0.0.1 ${replicaOf}`]),
  ].join('\n');
}

function sentinelConfig(port: number, masterPort: number): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'dir {dir}',
    `requirepass ${sentinelPassword}`,
    `sentinel sentinel-pass ${sentinelPassword}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
    `sentinel auth-pass ${masterName} ${password}`,
    // Quick, for a test, yet not so quick that a node busy on a loaded machine looks dead.
    `sentinel down-after-milliseconds ${masterName} 2000`,
    `sentinel failover-timeout ${masterName} 10000`,
  ].join('\n');
}

/** redis-server processes of one test in a directory of their own, with clients of them; `stop` ends them all. */
interface RedisProcesses {
  start(name: string, config: string, sentinel?: boolean): Promise<ChildProcess>;
  /** A client of the node on this port, for reading what it holds; disconnected by `stop`. */
  client(port: number, auth?: string): Redis;
  /** Resolves once the node on this port answers PING. */
  answering(port: number, what: string): Promise<void>;
  /** Resolves once the replica on this port has its link to its master up. */
  inSync(port: number, what: string): Promise<void>;
  /** The last lines each named process logged, for a failure message. */
  logs(names: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

async function redisProcesses(prefix: string): Promise<RedisProcesses> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const processes = new Set<ChildProcess>();
  const clients = new Set<Redis>();
  const client = (port: number, auth = password) => {
    const redis = new Redis({ host: '127.0.0.1', port, password: auth, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    clients.add(redis);
    return redis;
  };
  const until = async (port: number, what: string, holds: (node: Redis) => Promise<boolean>) => {
    const node = client(port);
    await waitUntil(
      async () => {
        if (node.status !== 'ready') await node.connect();
        return holds(node);
      },
      what,
      30_000,
    );
  };
  return {
    async start(name, config, sentinel = false) {
      const home = path.join(dir, name);
      await mkdir(home, { recursive: true });
      const file = path.join(home, 'redis.conf');
      await writeFile(file, `${config.replaceAll('{dir}', home)}\nlogfile ${path.join(home, 'redis.log')}\n`);
      const child = spawn('redis-server', sentinel ? [file, '--sentinel'] : [file], { stdio: 'ignore' });
      processes.add(child);
      child.once('exit', () => processes.delete(child));
      return child;
    },
    client,
    answering: (port, what) => until(port, what, async (node) => (await node.ping()) === 'PONG'),
    inSync: (port, what) => until(port, what, async (node) => /master_link_status:up/.test(await node.info('replication'))),
    async logs(names) {
      const tails = await Promise.all(
        names.map(async (name) => `${name}: ${(await readFile(path.join(dir, name, 'redis.log'), 'utf8').catch(() => '')).split('\n').slice(-3).join(' | ')}`),
      );
      return tails.join('\n');
    },
    async stop() {
      for (const redis of clients) redis.disconnect();
      await Promise.all(
        [...processes].map(async (child) => {
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Redis of the test's own, for what must not touch the Redis other suites share (CLIENT PAUSE
 * stops every client of a server); `admin` is a client of it that the test may send commands to.
 */
export async function startPrivateRedis(): Promise<{ readonly url: string; readonly admin: Redis; stop(): Promise<void> }> {
  const redis = await redisProcesses('sso-private-redis-');
  try {
    const port = await freePort();
    await redis.start('redis', nodeConfig(port));
    await redis.answering(port, 'the Redis server to answer');
    const admin = redis.client(port);
    await admin.connect();
    return { url: `redis://:${password}@127.0.0.1:${port}`, admin, stop: () => redis.stop() };
  } catch (error) {
    const detail = await redis.logs(['redis']);
    await redis.stop();
    throw new Error(`Redis did not start: ${(error as Error).message}\n${detail}`);
  }
}

/**
 * A Redis master and one replica, for store tests that need a replica to confirm writes
 * (SSO_REDIS_WAIT_REPLICAS); `url` reaches the master, `replicaUrl` the replica.
 */
export async function startReplicatedRedis(): Promise<{ readonly url: string; readonly replicaUrl: string; stop(): Promise<void> }> {
  const redis = await redisProcesses('sso-replicated-');
  try {
    const [master, replica] = [await freePort(), await freePort()];
    await redis.start('master', nodeConfig(master));
    await redis.answering(master, 'the Redis master to answer');
    await redis.start('replica', nodeConfig(replica, master));
    await redis.inSync(replica, 'the replica to be in sync');
    return { url: `redis://:${password}@127.0.0.1:${master}`, replicaUrl: `redis://:${password}@127.0.0.1:${replica}`, stop: () => redis.stop() };
  } catch (error) {
    const detail = await redis.logs(['master', 'replica']);
    await redis.stop();
    throw new Error(`Redis with a replica did not start: ${(error as Error).message}\n${detail}`);
  }
}

export async function startSentinelSet(): Promise<SentinelSet> {
  const redis = await redisProcesses('sso-sentinel-');
  const names = ['master', 'replica', 'sentinel-0', 'sentinel-1', 'sentinel-2'];
  const { client } = redis;
  let relay: TcpProxy | undefined;
  const stop = async () => {
    await relay?.close();
    await redis.stop();
  };

  try {
    const master = await freePort();
    const replicaPort = await freePort();
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    let masterProcess = await redis.start('master', nodeConfig(master));
    await redis.answering(master, 'the Redis master to answer');
    relay = await startTcpProxy({ host: '127.0.0.1', port: master });
    await redis.start('replica', nodeConfig(replicaPort, relay.port));
    await redis.inSync(replicaPort, 'the replica to be in sync');
    for (const [index, port] of sentinelPorts.entries()) await redis.start(`sentinel-${index}`, sentinelConfig(port, master), true);
    const sentinelClients = sentinelPorts.map((port) => client(port, sentinelPassword));
    await Promise.all(sentinelClients.map((sentinel) => waitUntil(() => sentinel.connect().then(() => true), 'a Sentinel to answer', 15_000)));
    const sentinelView = async (sentinel: Redis) => {
      const [state] = (await sentinel.call('SENTINEL', 'MASTERS')) as string[][];
      const fields = Object.fromEntries((state ?? []).flatMap((_, i, all) => (i % 2 === 0 ? [[all[i], all[i + 1]]] : [])));
      return { port: Number(fields.port), replicas: Number(fields['num-slaves']), sentinels: Number(fields['num-other-sentinels']) };
    };
    // Ready for a failover once each Sentinel knows the replica and the two other Sentinels.
    await waitUntil(
      async () => (await Promise.all(sentinelClients.map(sentinelView))).every((view) => view.replicas === 1 && view.sentinels === 2),
      'the Sentinels to discover the replica and each other',
      30_000,
    );

    return {
      env: {
        REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
        REDIS_SENTINEL_NAME: masterName,
        REDIS_PASSWORD: password,
        REDIS_SENTINEL_PASSWORD: sentinelPassword,
      },
      replicaPort,
      replication: { pause: () => relay!.pause(), resume: () => relay!.resume() },
      async masterPort() {
        return (await sentinelView(sentinelClients[0]!)).port;
      },
      async killMaster() {
        const exited = once(masterProcess, 'exit');
        masterProcess.kill('SIGKILL');
        await exited;
        await relay!.cut();
        return master;
      },
      async failedOver(timeoutMs = 30_000) {
        try {
          await waitUntil(
            async () => (await Promise.all(sentinelClients.map(sentinelView))).every((view) => view.port === replicaPort),
            'the Sentinels to promote the replica',
            timeoutMs,
          );
        } catch (error) {
          throw new Error(`${(error as Error).message}\n${await redis.logs(names)}`);
        }
      },
      async restartOldMasterAsReplica() {
        masterProcess = await redis.start('master', nodeConfig(master, replicaPort));
        // Whichever node the Sentinels name by then (a loaded machine may make them fail over again),
        // it has a replica online to confirm writes.
        try {
          await waitUntil(
            async () => {
              const views = await Promise.all(sentinelClients.map(sentinelView));
              if (!views.every((view) => view.port === views[0]!.port)) return false;
              const current = client(views[0]!.port);
              try {
                await current.connect();
                return /^slave0:.*state=online/m.test(await current.info('replication'));
              } finally {
                current.disconnect();
              }
            },
            'the old master to rejoin as a replica',
            30_000,
          );
        } catch (error) {
          throw new Error(`${(error as Error).message}\n${await redis.logs(names)}`);
        }
      },
      client,
      stop,
    };
  } catch (error) {
    const detail = await redis.logs(names);
    await stop();
    throw new Error(`Redis Sentinel set did not start: ${(error as Error).message}\n${detail}`);
  }
}
