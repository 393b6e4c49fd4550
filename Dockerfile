# persistguard admission webhook (also runs the CLI: docker run IMAGE scan /src).
# Build: docker build -t persistguard:dev .

# --- build: full dependencies, compile TypeScript to build/ ---
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY policies ./policies
COPY cli ./cli
COPY webhook ./webhook
COPY action ./action
RUN npx tsc -p tsconfig.build.json

# --- production dependencies only ---
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime: no compiler, no dev dependencies, no shell access needed, non-root ---
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /src/build ./build
# Data files read at run time: the image catalog and the config schema.
COPY policies/catalog ./policies/catalog
COPY policies/schema ./policies/schema
# 10001: a uid with no entry in /etc/passwd and no home, as a restricted PodSecurity profile expects.
USER 10001:10001
EXPOSE 8443
ENTRYPOINT ["node", "bin/persistguard.js"]
# Certificates come from a Secret mounted at /tls (cert-manager or `persistguard certs`); a config, when
# wanted, is passed as `--config /etc/persistguard/config.yaml` from a ConfigMap. See docs/webhook.md.
CMD ["serve", "--port", "8443", "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key", "--in-cluster"]
