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

{{/* "true" when the pods form a cluster: cluster.enabled, or when it is null, replicaCount > 1. */}}
{{- define "pgvigil.clustered" -}}
{{- $enabled := get .Values.cluster "enabled" }}
{{- if kindIs "bool" $enabled }}
{{- if $enabled }}true{{ end }}
{{- else if gt (int .Values.replicaCount) 1 }}true
{{- end }}
{{- end }}

{{/* "true" when the chart makes a PodDisruptionBudget: podDisruptionBudget.enabled, or when it is null, replicaCount > 1. */}}
{{- define "pgvigil.pdbEnabled" -}}
{{- $enabled := get .Values.podDisruptionBudget "enabled" }}
{{- if kindIs "bool" $enabled }}
{{- if $enabled }}true{{ end }}
{{- else if gt (int .Values.replicaCount) 1 }}true
{{- end }}
{{- end }}

{{/* The headless Service through which the members find each other. */}}
{{- define "pgvigil.clusterServiceName" -}}
{{- printf "%s-cluster" (include "pgvigil.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{/* The Secret holding server.cluster.secret (key `secret`): the user's cluster.existingSecret or the chart's. */}}
{{- define "pgvigil.clusterSecretName" -}}
{{- default (printf "%s-cluster" (include "pgvigil.fullname" . | trunc 55 | trimSuffix "-")) .Values.cluster.existingSecret }}
{{- end }}

{{/*
server.cluster as pgvigil.yaml gets it: the user's config.server.cluster, with
every key the user left out taken from the chart's (the pod IP from the downward
API, the release as the cluster name, the headless Service for discovery, the
secret from the cluster Secret through env).
Key by key, not sprig's merge: that one overwrites a user's `false` or 0.
*/}}
{{- define "pgvigil.clusterConfig" -}}
{{- $server := default dict .Values.config.server }}
{{- $cluster := deepCopy (default dict (get $server "cluster")) }}
{{- $chart := dict
      "enabled" true
      "name" (include "pgvigil.fullname" .)
      "host" "${env:POD_IP}"
      "port" 5701
      "eventBusPort" 5711
      "secret" "${env:PGVIGIL_CLUSTER_SECRET}" }}
{{- range $key, $value := $chart }}
{{- if not (hasKey $cluster $key) }}
{{- $_ := set $cluster $key $value }}
{{- end }}
{{- end }}
{{- $kubernetes := default dict (get $cluster "kubernetes") }}
{{- if not (hasKey $kubernetes "serviceDns") }}
{{- $_ := set $kubernetes "serviceDns" (printf "%s.%s.svc.%s" (include "pgvigil.clusterServiceName" .) .Release.Namespace .Values.clusterDomain) }}
{{- end }}
{{- $_ := set $cluster "kubernetes" $kubernetes }}
{{- toYaml $cluster }}
{{- end }}

{{/*
pgvigil.yaml: the user's config, with server.listen owned by the chart and,
when clustered, server.instance and server.cluster filled in where the user left them out.
*/}}
{{- define "pgvigil.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $server := default dict $config.server }}
{{- $_ := set $server "listen" (printf "0.0.0.0:%d" (int .Values.service.port)) }}
{{- if include "pgvigil.clustered" . }}
{{- if not (hasKey $server "instance") }}
{{- $_ := set $server "instance" "${env:POD_NAME}" }}
{{- end }}
{{- $_ := set $server "cluster" (include "pgvigil.clusterConfig" . | fromYaml) }}
{{- end }}
{{- $_ := set $config "server" $server }}
{{- toYaml $config }}
{{- end }}

{{/*
The port a ServiceMonitor or PodMonitor scrapes (monitor: serviceMonitor or podMonitor, name: its key,
servicePorts: service.extraPorts for the ServiceMonitor). pgvigil serves plain HTTP on port http only,
so https must go to a TLS-terminating sidecar's port; a ServiceMonitor reaches one through a Service port.
*/}}
{{- define "pgvigil.scrapePort" -}}
{{- $port := default "http" .monitor.port }}
{{- if and (eq (default "http" .monitor.scheme) "https") (eq $port "http") }}
{{- fail (printf "%s.scheme https: pgvigil serves plain HTTP on port http; set %s.port to the port of a TLS-terminating sidecar (extraContainers)" .name .name) }}
{{- end }}
{{- if and (hasKey . "servicePorts") (ne $port "http") }}
{{- $found := false }}
{{- range .servicePorts }}
{{- if eq .name $port }}{{ $found = true }}{{ end }}
{{- end }}
{{- if not $found }}
{{- fail (printf "%s.port %s: the Service has no port of that name; add it to service.extraPorts" .name $port) }}
{{- end }}
{{- end }}
{{- $port }}
{{- end }}

{{/*
initContainers or extraContainers (containers) as the pod gets them: each that sets no securityContext
gets the chart's (securityContext); one that sets its own keeps it whole.
*/}}
{{- define "pgvigil.userContainers" -}}
{{- $containers := list }}
{{- range .containers }}
{{- $container := deepCopy . }}
{{- if not (hasKey $container "securityContext") }}
{{- $_ := set $container "securityContext" (deepCopy $.securityContext) }}
{{- end }}
{{- $containers = append $containers $container }}
{{- end }}
{{- toYaml $containers }}
{{- end }}

{{/* What a ServiceMonitor's endpoint and a PodMonitor's podMetricsEndpoint share, from serviceMonitor or podMonitor. */}}
{{- define "pgvigil.scrapeEndpoint" -}}
interval: {{ .interval }}
scrapeTimeout: {{ .scrapeTimeout }}
scheme: {{ default "http" .scheme }}
{{- with .tlsConfig }}
tlsConfig:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .relabelings }}
relabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .metricRelabelings }}
metricRelabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The job label Prometheus gives pgvigil's series: the Prometheus Operator names a ServiceMonitor's
job after the Service, a PodMonitor's <namespace>/<PodMonitor name>.
*/}}
{{- define "pgvigil.scrapeJob" -}}
{{- if .Values.podMonitor.enabled }}
{{- printf "%s/%s" (default .Release.Namespace .Values.podMonitor.namespace) (include "pgvigil.fullname" .) }}
{{- else }}
{{- include "pgvigil.fullname" . }}
{{- end }}
{{- end }}

{{/*
The label matchers the rules add to every selector: prometheusRule.selector (tpl), or the scrape job and
the namespace the Prometheus Operator labels the series with, so that a release with the same name in
another namespace is not this one.
*/}}
{{- define "pgvigil.ruleSelector" -}}
{{- if .Values.prometheusRule.selector }}
{{- tpl .Values.prometheusRule.selector . }}
{{- else }}
{{- printf "job=%q, namespace=%q" (include "pgvigil.scrapeJob" .) .Release.Namespace }}
{{- end }}
{{- end }}
