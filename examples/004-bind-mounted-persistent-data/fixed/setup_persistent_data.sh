#!/usr/bin/env bash
# Creates the host folders the compose file bind-mounts, owned by the users the images run as.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p persistent_data/{ml_models,ml_cache,scalers,stock_data/cache,logs,config,backups,redis,prometheus,grafana}
sudo chown -R 65534:65534 persistent_data/prometheus   # nobody, in prom/prometheus
sudo chown -R 472:0 persistent_data/grafana            # grafana
sudo chown -R 999:1000 persistent_data/redis           # redis
