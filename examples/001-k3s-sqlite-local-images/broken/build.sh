#!/usr/bin/env bash
# Builds the KILO microservices and deploys them to the local k3s node.
set -euo pipefail
cd "$(dirname "$0")"

for svc in financial meds; do
  echo "building kilo/$svc:latest"
  docker build -t "kilo/$svc:latest" "services/$svc"
done

# k3s runs its own containerd: it cannot see images in Docker's store.
sudo k3s kubectl apply -f k3s/
sudo k3s kubectl -n kilo rollout restart deployment/kilo-financial deployment/kilo-meds
