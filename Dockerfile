# syntax=docker/dockerfile:1
# The server runs as JavaScript compiled by tsc (`npm run build`) from the sources the tests ran
# through tsx: no TypeScript loader at run time, whose thread alone costs each process about 33 MiB
# of RSS. Build: docker build -t fluxys-sso .
ARG NODE_IMAGE=node:24-bookworm-slim

# The compiler and the rest of the dev dependencies stay in this stage.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
COPY interactions ./interactions
COPY migrations ./migrations
RUN npm run build

# Production dependencies only. bcrypt brings prebuilt binaries for this platform, so no compiler
# is needed; installing on the runtime's own base image keeps them matching.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000 \
    SSO_DATA_DIR=/app/data
# bcrypt hashes on libuv's thread pool (4 threads by default), and so do DNS lookups and file
# reads: a larger pool keeps connecting to PostgreSQL, Redis and SMTP from queueing behind a burst
# of sign-ins. Hashing throughput itself is bounded by the CPUs the container gets.
ENV UV_THREADPOOL_SIZE=16
# glibc gives each thread that allocates (the 16 above among them) a malloc arena of its own and
# seldom returns their free memory to the system: RSS then wanders by a quarter with the JavaScript
# heap flat (BENCHMARKS.md, "Memory"). Two arenas bound it; the threads allocate little, so sharing
# arenas costs them next to no waiting.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
# package.json's "type": "module" is what makes dist/'s .js files ES modules.
COPY package.json clients.json ./
# The compiled server, CLI and migrations, with the views, styles and email templates they read.
COPY --from=build /app/dist ./dist
# The node user (uid 1000) of the base image; the data directory is the only place it writes.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness only: /readyz (PostgreSQL and Redis reachable) is for the load balancer, not for restarts.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm in between), so SIGTERM reaches the server's drain. The heap flags are
# the server's alone (the operator CLI beside it, docker exec <container> node dist/src/cli/main.js
# --help, keeps V8's defaults): its live heap is about 35 MiB, but V8 otherwise lets garbage grow the
# old generation to some 130 MiB before its first full collection and keeps the pages; bounding it at
# 160 MiB makes it collect sooner, which kept RSS under 150 MiB at the same CPU per sign-in, and a
# smaller young generation (8 MiB semi-spaces, from 16) trims another 20 MiB (BENCHMARKS.md, "Memory").
CMD ["node", "--max-old-space-size=160", "--max-semi-space-size=8", "dist/src/main.js"]
