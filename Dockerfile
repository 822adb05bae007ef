# One image for the API, the worker and the migration step; pick one with the command:
#   node dist/apps/api/src/main.js                      (default)
#   node dist/apps/worker/src/main.js
#   node dist/libs/database/src/cli/prepare-database.js (create the database if missing, run migrations)
# `npm start` is not used here: it rebuilds and relies on `concurrently`, a devDependency.

FROM node:20-bookworm-slim AS build
# swagger-ui-dist's install script reports to Scarf unless this is set.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay owned by root: the app only reads them.
USER node
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/src/main.js"]
