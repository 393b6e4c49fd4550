{{- define "persistguard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "persistguard.webhookName" -}}
{{- printf "%s-webhook" (include "persistguard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "persistguard.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "persistguard.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "persistguard.tlsSecret" -}}
{{- if .Values.certManager.enabled -}}
{{- printf "%s-tls" (include "persistguard.webhookName" .) -}}
{{- else if .Values.tls.secretName -}}
{{- .Values.tls.secretName -}}
{{- else if and .Values.tls.crt .Values.tls.key -}}
{{- printf "%s-tls" (include "persistguard.webhookName" .) -}}
{{- else -}}
{{- fail "without cert-manager, tls.crt and tls.key (--set-file, from: persistguard certs) or tls.secretName is required" -}}
{{- end -}}
{{- end -}}

{{/* The CA the API server trusts for the webhook (without cert-manager). */}}
{{- define "persistguard.caBundle" -}}
{{- if .Values.tls.ca -}}
{{- .Values.tls.ca | b64enc -}}
{{- else -}}
{{- required "without cert-manager, tls.ca (--set-file tls.ca=pg-certs/ca.crt) or tls.caBundle is required" .Values.tls.caBundle -}}
{{- end -}}
{{- end -}}

{{/*
Ignore unless Fail is asked for; Fail with a single replica is refused (#13 D1): every rollout, eviction
or crash of that pod would stop every create/update in the cluster.
*/}}
{{- define "persistguard.failurePolicy" -}}
{{- if eq .Values.failurePolicy "Fail" -}}
{{- if lt (int .Values.replicaCount) 2 -}}
{{- fail "failurePolicy=Fail needs replicaCount >= 2: with one replica every rollout or eviction blocks the cluster" -}}
{{- end -}}
Fail
{{- else -}}
Ignore
{{- end -}}
{{- end -}}

{{/*
Namespaces never sent, whatever the values say (#13 D2): the system namespaces and the release's own
(so the webhook can always be repaired), then the user's additions.
*/}}
{{- define "persistguard.namespaceSelector" -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      {{- toYaml (concat (list "kube-system" "kube-public" "kube-node-lease" .Release.Namespace) (.Values.excludeNamespaces | default list) | uniq) | nindent 6 }}
  - key: persistguard.io/ignore
    operator: DoesNotExist
  {{- if eq .Values.scope "labelled" }}
  - key: persistguard.io/enforce
    operator: In
    values: ["true"]
  {{- end }}
{{- end -}}

{{- define "persistguard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
