{{/* Names and labels shared by every object of the chart. */}}

{{- define "screening.name" -}}
{{ .Chart.Name }}
{{- end }}

{{- define "screening.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}

{{- define "screening.selectorLabels" -}}
app.kubernetes.io/name: {{ include "screening.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "screening.labels" -}}
{{ include "screening.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "screening.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "screening.secretName" -}}
{{- if .Values.existingSecret -}}
{{ .Values.existingSecret }}
{{- else -}}
{{ include "screening.fullname" . }}
{{- end -}}
{{- end }}

{{/* Scratch volumes for a read-only root filesystem; used by every pod of the chart. */}}
{{- define "screening.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataSizeLimit }}
{{- end }}

{{- define "screening.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end }}
