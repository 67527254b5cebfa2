# One image per service, built from the monorepo: docker build --build-arg SERVICE=dispatcher .
# Multi-stage: dependencies and the build happen in a full Node 24 image; the runtime stage holds
# only production dependencies and compiled output, and runs as the unprivileged `node` user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /repo
COPY package.json package-lock.json nx.json tsconfig.base.json jest.preset.js eslint.config.mjs ./
COPY libs libs
COPY services services
COPY tools tools
RUN npm ci --no-audit --no-fund && npx nx run-many -t build --output-style=static \
 && npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=root:root /repo/node_modules node_modules
COPY --from=build --chown=root:root /repo/package.json package.json
COPY --from=build --chown=root:root /repo/libs libs
COPY --from=build --chown=root:root /repo/services/${SERVICE} services/${SERVICE}
COPY --from=build --chown=root:root /repo/tools/wa-simulator tools/wa-simulator
# The web console's static files (a few hundred KB), served by upload-gateway at / (CONSOLE_DIR).
COPY --from=build --chown=root:root /repo/tools/console/dist tools/console/dist
USER node
WORKDIR /app/services/${SERVICE}
EXPOSE 3000
CMD ["node", "dist/main.js"]
