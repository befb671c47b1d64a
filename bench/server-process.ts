/**
 * The server under test, alone in its own process so that its CPU time and RSS are its own and
 * not the load generator's. Started by server-handle.ts with the environment of the run.
 */
import { createServer } from 'node:http';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { buildServer } from '../src/server.ts';
import { listenForParent } from './child.ts';
import { countRoundTrips } from '../harness/round-trips.ts';

const config = loadConfig(process.env);
const server = await buildServer(config, { logger: createLogger(config.logLevel) });
await listenForParent({ http: createServer(server.app.callback()), roundTrips: countRoundTrips(server), close: () => server.close() }, config.port);
