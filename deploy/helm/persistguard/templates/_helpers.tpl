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
{{- else -}}
{{- required "tls.secretName is required when certManager.enabled is false (create it with: persistguard certs)" .Values.tls.secretName -}}
{{- end -}}
{{- end -}}

{{/* Fail for enforce (with HA), Ignore for audit, unless set explicitly. */}}
{{- define "persistguard.failurePolicy" -}}
{{- if .Values.failurePolicy -}}
{{- .Values.failurePolicy -}}
{{- else if eq .Values.mode "enforce" -}}
Fail
{{- else -}}
Ignore
{{- end -}}
{{- end -}}

{{- define "persistguard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
