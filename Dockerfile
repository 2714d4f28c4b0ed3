# inferq, CPU image. One image for both processes: the API by default (CMD below); compose runs
# the worker from the same image with `node --import tsx apps/worker/src/main.ts`.
# TypeScript runs through tsx, a runtime dependency, so there is no build step.
# CUDA image: Dockerfile.gpu (docs/gpu.md).
#
#   docker build -t inferq .
#   docker run --rm -p 3000:3000 -e REDIS_URL=redis://<host>:6379 inferq
#   docker run --rm -e REDIS_URL=redis://<host>:6379 -e DEVICE=cpu inferq node --import tsx apps/worker/src/main.ts

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- deps: production node_modules ------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Manifests first, so that editing sources does not re-run `npm ci`. `npm ci` checks the lockfile
# against every workspace, so every workspace's package.json must be here (the compose-file test
# checks that none is missing).
COPY package.json package-lock.json .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/launcher/package.json apps/launcher/
COPY apps/monitor/package.json apps/monitor/
COPY apps/tools/package.json apps/tools/
COPY apps/worker/package.json apps/worker/
COPY packages/client/package.json packages/client/
COPY packages/contract/package.json packages/contract/
COPY packages/env/package.json packages/env/
COPY packages/logger/package.json packages/logger/
COPY packages/model-repository/package.json packages/model-repository/
COPY packages/monitoring/package.json packages/monitoring/
COPY packages/ocr/package.json packages/ocr/
COPY packages/predictions/package.json packages/predictions/
COPY packages/processing/package.json packages/processing/
COPY packages/queue/package.json packages/queue/
COPY packages/redis/package.json packages/redis/
COPY packages/tensor/package.json packages/tensor/
# --omit=dev drops typescript, @types/* and yaml but keeps tsx (a dependency of the root package).
# .npmrc sets onnxruntime-node-install=skip, so onnxruntime-node downloads no CUDA libraries here.
# onnxruntime-node ships binaries for every OS; only linux/<this arch> is kept (about 220 MB less).
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && arch="$(node -p process.arch)" \
 && cd node_modules/onnxruntime-node/bin/napi-v6 \
 && for d in */*; do [ "$d" = "linux/$arch" ] || rm -rf "$d"; done \
 && test -f "linux/$arch/onnxruntime_binding.node"

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# HOST: the API's default listen address is 127.0.0.1, unreachable from outside a container.
# MODEL_REPOSITORY: the models baked in below; point it at a mounted volume to serve others.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MODEL_REPOSITORY=/app/models
# node_modules (and the workspace manifests) from deps, then the sources. The repository root
# layout is kept, so the commands are the same as `npm run start:api` / `npm run start:worker`.
COPY --from=deps /app ./
COPY tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
COPY models ./models
# The files stay root-owned and read-only to the process; nothing is written under /app
# (tsx keeps its transform cache in the temp directory).
USER node
EXPOSE 3000
# For the API (the default command); the slim image has no curl, so Node's own fetch. Worker and
# monitor containers have no HTTP port: docker-compose.yml and the Kubernetes manifests turn this
# off for them (a worker that dies exits, and is restarted; one that hangs loses its job locks).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
