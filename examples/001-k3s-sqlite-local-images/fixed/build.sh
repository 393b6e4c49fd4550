#!/usr/bin/env bash
# Builds the KILO microservices, imports them into k3s's containerd and deploys them.
set -euo pipefail
cd "$(dirname "$0")"

for svc in financial meds; do
  echo "building kilo/$svc:latest"
  docker build -t "kilo/$svc:latest" "services/$svc"
done

# k3s runs its own containerd: every rebuilt image must be imported under the exact reference the
# manifests use, and the pods use imagePullPolicy: Never so kubelet never tries a registry.
docker save kilo/financial:latest | sudo k3s ctr images import -
docker save kilo/meds:latest | sudo k3s ctr images import -

sudo k3s kubectl apply -f k3s/
sudo k3s kubectl -n kilo rollout restart deployment/kilo-financial deployment/kilo-meds
