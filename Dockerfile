# syntax=docker/dockerfile:1
# The server runs its TypeScript through tsx, a runtime dependency: no compile step, and the image
# holds exactly the sources the tests ran. Build: docker build -t fluxys-sso .
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only. bcrypt and esbuild (tsx) bring prebuilt binaries for this
# platform, so no compiler is needed; installing on the runtime's own base image keeps them matching.
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
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json tsconfig.json clients.json ./
COPY src ./src
COPY interactions ./interactions
COPY migrations ./migrations
# The node user (uid 1000) of the base image; the data directory is the only place it writes
# (and tsx's compile cache in /tmp).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness only: /readyz (PostgreSQL and Redis reachable) is for the load balancer, not for restarts.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm in between), so SIGTERM reaches the server's drain.
CMD ["node", "--import", "tsx", "src/main.ts"]
