# One image per stack, built from the monorepo: `--build-arg STACK=customer|execution`.
# Node 22 LTS. The build stage installs and compiles every workspace (the stacks import the
# engine, the Solidity artefacts and the UIs' builds); the runtime stage keeps production
# dependencies and compiled output only, and runs as the unprivileged `node` user.
FROM node:22-bookworm-slim AS build
WORKDIR /repo
COPY . .
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
RUN npx nx run-many -t build --outputStyle=static && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ARG STACK
ENV NODE_ENV=production STACK=${STACK}
# A 64 MB young-generation semi-space: a stack under load allocates per request and per batch, and
# the default (16 MB) scavenges it several times a batch (docs/benchmarks.md, Ledger, session 5).
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build --chown=node:node /repo /app
USER node
EXPOSE 3000 3100
CMD ["sh", "-c", "exec node ${STACK}-stack/api/dist/main.js"]
