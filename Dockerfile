# One image for the API, the worker and the migration step; pick one with the command:
#   node dist/apps/api/src/main.js                      (default)
#   node dist/apps/worker/src/main.js
#   node dist/libs/database/src/cli/prepare-database.js (create the database if missing, run migrations)
# `npm start` is not used here: it rebuilds and relies on `concurrently`, a devDependency.
# Builds with BuildKit (`docker compose`, `docker build`) and with the legacy builder (`docker-compose` v1).

# Node.js 26, the active LTS line (Node 20 reached its end of life in April 2026; the code still supports 20.12
# and later, see package.json `engines`). An exact version tag, so that a rebuild gets the same Node.js. Pin the
# digest too where a registry is reachable (`docker buildx imagetools inspect node:26.10.0-trixie-slim`, then
# `node:26.10.0-trixie-slim@sha256:...`): none was reachable where this file was written, so none is given.
ARG NODE_IMAGE=node:26.10.0-trixie-slim

FROM ${NODE_IMAGE} AS build
# swagger-ui-dist's install script reports to Scarf unless this is set.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# The operator console: `npm run build` bundles it with Vite (a devDependency, installed in this stage only) into
# dist/console, which the runtime stage copies with the rest of dist/.
COPY console ./console
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# Password hashing (argon2id) runs on libuv's thread pool, 4 threads unless told otherwise, which DNS lookups
# (every PostgreSQL and RabbitMQ reconnect) and file reads share. 8 threads let a busy API replica keep two CPUs
# hashing without making a lookup wait behind queued hashes; each hash in flight holds ARGON2_MEMORY_KIB
# (19 MiB by default), so 8 need about 150 MiB at peak. Override per deployment to fit its CPU and memory.
ENV NODE_ENV=production \
    SCARF_ANALYTICS=false \
    UV_THREADPOOL_SIZE=8
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay owned by root: the app only reads them (a read-only root filesystem works; give it a /tmp).
USER node
EXPOSE 3000 3001

# Healthy when this container's app answers its liveness endpoint (slim images have no curl: Node asks). The app
# is found among the container's processes: the API on $PORT (3000), the worker on $WORKER_HTTP_PORT (3001);
# anything else (the migration step) has no HTTP server and is healthy while it runs. Liveness, not readiness:
# a PostgreSQL or RabbitMQ outage must not make an orchestrator restart the container. Checked by
# test/deploy/docker.test.ts.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "\
const fs = require('fs'); \
const argvs = fs.readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p) && p !== String(process.pid)) \
  .map((p) => { try { return fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').split('\\0'); } catch { return []; } }); \
const runs = (entry) => argvs.some((argv) => argv.some((arg) => arg.endsWith(entry))); \
const port = runs('dist/apps/worker/src/main.js') ? process.env.WORKER_HTTP_PORT || 3001 \
  : runs('dist/apps/api/src/main.js') ? process.env.PORT || 3000 : 0; \
if (!port) process.exit(0); \
fetch('http://127.0.0.1:' + port + '/health/live', { signal: AbortSignal.timeout(2500) }) \
  .then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1));"]

CMD ["node", "dist/apps/api/src/main.js"]
