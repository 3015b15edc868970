{{/* Names, labels and the install mode, shared by every object of the chart. */}}

{{- define "screening.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object names are DNS labels: at most 63 characters. */}}
{{- define "screening.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "screening.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "screening.selectorLabels" -}}
app.kubernetes.io/name: {{ include "screening.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "screening.labels" -}}
{{ include "screening.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "screening.chart" . }}
{{- end }}

{{- define "screening.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "screening.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "screening.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when the pods share an external PostgreSQL database; otherwise one pod runs on SQLite. */}}
{{- define "screening.externalDatabase" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}true{{ end }}
{{- end }}

{{/* The fewest API pods the release runs: what decides whether a PodDisruptionBudget can let one go. */}}
{{- define "screening.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ int .Values.autoscaling.minReplicas }}{{ else }}{{ int .Values.replicaCount }}{{ end }}
{{- end }}

{{/* Lists are refreshed by the CronJob only with a shared database: its pod could not open the API pod's
SQLite volume (ReadWriteOnce), and a volume of its own would hold lists the API never sees. */}}
{{- define "screening.ingestCronJob" -}}
{{- if and (include "screening.externalDatabase" .) .Values.ingest.cronJob }}true{{ end }}
{{- end }}

{{/* Refuse value sets that would install pods which cannot work, with what to change. */}}
{{- define "screening.validate" -}}
{{- if not (include "screening.externalDatabase" .) }}
{{- if .Values.autoscaling.enabled }}
{{- fail "autoscaling.enabled needs a shared database: set database.url (postgresql+psycopg://user:password@host:5432/db) or database.existingSecret. Without one the chart runs a single pod on SQLite." }}
{{- end }}
{{- if gt (int .Values.replicaCount) 1 }}
{{- fail (printf "replicaCount %d needs a shared database: set database.url (postgresql+psycopg://user:password@host:5432/db) or database.existingSecret. Without one the chart runs a single pod on SQLite." (int .Values.replicaCount)) }}
{{- end }}
{{- end }}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- fail "set database.url or database.existingSecret, not both" }}
{{- end }}
{{- range $key := list "SCREENING_API_KEYS" "SCREENING_DATABASE_URL" "SCREENING_HOST" "SCREENING_PORT" "SCREENING_SCHEDULER_ENABLED" "SCREENING_ALLOW_OPEN" "SCREENING_CONTAINER" "SCREENING_DATA_DIR" }}
{{- if hasKey $.Values.config $key }}
{{- fail (printf "config.%s is set by the chart, not in config: use apiKeys, database, allowOpen, ingest.cronJob or persistence instead" $key) }}
{{- end }}
{{- end }}
{{- if and .Values.apiKeys.value .Values.apiKeys.existingSecret }}
{{- fail "set apiKeys.value or apiKeys.existingSecret, not both" }}
{{- end }}
{{- end }}

{{/* Whether the chart's own Secret holds the API keys: given inline, or generated unless the API is open. */}}
{{- define "screening.chartApiKeys" -}}
{{- if and (not .Values.apiKeys.existingSecret) (or .Values.apiKeys.value (not .Values.allowOpen)) }}true{{ end }}
{{- end }}

{{- define "screening.chartSecret" -}}
{{- if or (include "screening.chartApiKeys" .) .Values.database.url }}true{{ end }}
{{- end }}

{{/* SCREENING_API_KEYS: the inline value, else the key generated on first install. `lookup` reads the live
Secret, so an upgrade keeps the key clients already use (it finds nothing under `helm template`). */}}
{{- define "screening.apiKeysValue" -}}
{{- if .Values.apiKeys.value }}
{{- .Values.apiKeys.value }}
{{- else }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "screening.fullname" .) }}
{{- if and $existing $existing.data (hasKey $existing.data "SCREENING_API_KEYS") }}
{{- index $existing.data "SCREENING_API_KEYS" | b64dec }}
{{- else }}
{{- printf "helm:admin:%s" (randAlphaNum 40) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The secret environment of every pod: the database URL, and the API keys where `keys` is true. */}}
{{- define "screening.secretEnv" -}}
{{- $root := .root }}
{{- if $root.Values.database.existingSecret }}
- name: SCREENING_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.database.existingSecret }}
      key: {{ $root.Values.database.existingSecretKey }}
{{- else if $root.Values.database.url }}
- name: SCREENING_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "screening.fullname" $root }}
      key: SCREENING_DATABASE_URL
{{- end }}
{{- if .keys }}
{{- if $root.Values.apiKeys.existingSecret }}
- name: SCREENING_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.apiKeys.existingSecret }}
      key: {{ $root.Values.apiKeys.existingSecretKey }}
{{- else if include "screening.chartApiKeys" $root }}
- name: SCREENING_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "screening.fullname" $root }}
      key: SCREENING_API_KEYS
{{- end }}
{{- end }}
{{- end }}

{{/* /tmp is scratch space for a read-only root filesystem. /data holds the SQLite store: the PVC in
single-pod mode, scratch otherwise. */}}
{{- define "screening.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- if and (not (include "screening.externalDatabase" .)) .Values.persistence.enabled }}
- name: data
  persistentVolumeClaim:
    claimName: {{ .Values.persistence.existingClaim | default (include "screening.fullname" .) }}
{{- else }}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataSizeLimit }}
{{- end }}
{{- end }}

{{- define "screening.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end }}
