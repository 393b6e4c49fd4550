# persistguard admission webhook (also runs the CLI: docker run IMAGE scan /src).
# Build: docker build -t persistguard:dev .   Multi-arch (as the release does):
#   docker buildx build --platform linux/amd64,linux/arm64 -t persistguard:dev .
#
# Base images are pinned by the digest of their multi-arch index, so a rebuild of the same commit gets the
# same bases. Dependabot (.github/dependabot.yml) proposes new digests; by hand:
#   docker buildx imagetools inspect node:24-bookworm-slim                      # "Digest:" line
#   docker buildx imagetools inspect gcr.io/distroless/nodejs24-debian12:nonroot
# and replace the sha256 below (both images must stay Debian 12 and Node 24).
ARG BUILD_IMAGE=node:24-bookworm-slim@sha256:3638d9a6fe4030bd716be989438248074489337ba3275657f93595428be4fc03
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a

# --- build: full dependencies from the lockfile, compile TypeScript to build/ ---
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY policies ./policies
COPY cli ./cli
COPY render ./render
COPY webhook ./webhook
COPY action ./action
RUN npx tsc -p tsconfig.build.json

# --- production dependencies only, from the same lockfile ---
FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: distroless Node 24 (no shell, no npm, no corepack, no package manager), non-root ---
FROM ${RUNTIME_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
# The compiled CLI, webhook and core; the image catalog and config schema are compiled in with it.
COPY --from=build /src/build ./build
# 10001: a uid with no entry in /etc/passwd and no home, as a restricted PodSecurity profile expects.
USER 10001:10001
EXPOSE 8443
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/persistguard.js"]
# Certificates come from a Secret mounted at /tls (cert-manager or `persistguard certs`); a config, when
# wanted, is passed as `--config /etc/persistguard/config.yaml` from a ConfigMap. See docs/deploy.md.
CMD ["serve", "--port", "8443", "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key", "--in-cluster"]
