# One image per stack, built from the monorepo: `--build-arg STACK=customer|execution`.
# Node 22 LTS; the build stage compiles the workspace, the runtime stage carries only what runs.
FROM node:22-bookworm-slim AS build
WORKDIR /repo
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY shared-contracts/package.json shared-contracts/
COPY customer-stack/api/package.json customer-stack/api/
COPY execution-stack/api/package.json execution-stack/api/
COPY execution-stack/engine/package.json execution-stack/engine/
COPY solidity/package.json solidity/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY . .
ARG STACK
RUN npx tsc -p shared-contracts/tsconfig.build.json && npx tsc -p ${STACK}-stack/api/tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ARG STACK
ENV NODE_ENV=production STACK=${STACK}
WORKDIR /app
COPY --from=build /repo/node_modules ./node_modules
COPY --from=build /repo/shared-contracts/package.json ./shared-contracts/package.json
COPY --from=build /repo/shared-contracts/dist ./shared-contracts/dist
COPY --from=build /repo/${STACK}-stack/api/package.json ./${STACK}-stack/api/package.json
COPY --from=build /repo/${STACK}-stack/api/dist ./${STACK}-stack/api/dist
USER node
EXPOSE 3000 3100
CMD ["sh", "-c", "exec node ${STACK}-stack/api/dist/main.js"]
