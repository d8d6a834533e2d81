{{/* Chart name, at most 63 characters. */}}
{{- define "pgvigil.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, with the chart name unless it already contains it. */}}
{{- define "pgvigil.fullname" -}}
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

{{- define "pgvigil.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pgvigil.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pgvigil.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pgvigil.labels" -}}
helm.sh/chart: {{ include "pgvigil.chart" . }}
{{ include "pgvigil.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pgvigil
{{- end }}

{{- define "pgvigil.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pgvigil.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "pgvigil.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The Secret the pod reads: the user's existingSecret or the chart's own; empty when neither.
Fails when both are given, so a chart-made Secret never silently shadows the real one.
*/}}
{{- define "pgvigil.secretName" -}}
{{- if and .Values.secrets.existingSecret .Values.secrets.values }}
{{- fail "secrets: set either secrets.existingSecret or secrets.values, not both" }}
{{- end }}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if .Values.secrets.values }}
{{- include "pgvigil.fullname" . }}
{{- end }}
{{- end }}

{{/* pgvigil.yaml: the user's config, with server.listen owned by the chart. */}}
{{- define "pgvigil.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $server := default dict $config.server }}
{{- $_ := set $server "listen" (printf "0.0.0.0:%d" (int .Values.service.port)) }}
{{- $_ := set $config "server" $server }}
{{- toYaml $config }}
{{- end }}
