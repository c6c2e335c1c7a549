{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "rtmpc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rtmpc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rtmpc.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels; call with (dict "root" $ "component" "edge"). */}}
{{- define "rtmpc.labels" -}}
helm.sh/chart: {{ include "rtmpc.chart" .root }}
app.kubernetes.io/name: {{ include "rtmpc.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: rtmp-cluster
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "rtmpc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rtmpc.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "rtmpc.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "rtmpc.secretName" -}}
{{- default (printf "%s-auth" (include "rtmpc.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/* The container command; deploy/Dockerfile installs the app under /app. */}}
{{- define "rtmpc.command" -}}
- node
- /app/packages/node/bundle/cli.js
{{- end -}}

{{/* Names of the generated Secrets. */}}
{{- define "rtmpc.redisSecretName" -}}{{ include "rtmpc.fullname" . }}-redis{{- end -}}
{{- define "rtmpc.natsSecretName" -}}{{ include "rtmpc.fullname" . }}-nats{{- end -}}
{{- define "rtmpc.keysSecretName" -}}
{{- default (printf "%s-stream-keys" (include "rtmpc.fullname" .)) .Values.auth.keysSecret -}}
{{- end -}}
{{/* The user the nodes log in with on the bundled Redis and NATS. */}}
{{- define "rtmpc.backendUser" -}}rtmp-cluster{{- end -}}

{{/* Whether a mode that verifies signed tokens is on (then the keys Secret is mounted or generated). */}}
{{- define "rtmpc.usesTokens" -}}
{{- if or (eq .Values.auth.publishMode "token") (eq .Values.auth.playMode "token") }}true{{ end -}}
{{- end -}}

{{/*
Values that would install a broken or open cluster stop the render with the reason (included by the ConfigMap, which
every install renders).
*/}}
{{- define "rtmpc.validate" -}}
{{- if and (eq .Values.auth.publishMode "none") (not .Values.auth.allowAnonymousPublish) }}
{{- fail "auth.publishMode=none lets anyone who can reach the ingest Service (a public LoadBalancer by default) publish any stream name. Keep publishMode=token (the default: mint keys with `rtmp-cluster sign`), use static or webhook, or set auth.allowAnonymousPublish=true to accept anonymous publishing." }}
{{- end }}
{{- range $action, $mode := dict "publishMode" .Values.auth.publishMode "playMode" .Values.auth.playMode }}
{{- if and (eq $mode "token") $.Values.auth.keysSecret (not $.Values.auth.keysSecretKey) }}
{{- fail (printf "auth.%s=token reads its signing keys from auth.keysSecret %q, but auth.keysSecretKey is empty" $action $.Values.auth.keysSecret) }}
{{- end }}
{{- if and (eq $mode "static") (or (not $.Values.auth.keysSecret) (not $.Values.auth.staticKeysSecretKey)) }}
{{- fail (printf "auth.%s=static needs its stream keys: set auth.keysSecret and auth.staticKeysSecretKey (a Secret entry like live/cam1=key,live/*=key2)" $action) }}
{{- end }}
{{- if and (eq $mode "webhook") (not $.Values.auth.webhookUrl) }}
{{- fail (printf "auth.%s=webhook needs auth.webhookUrl" $action) }}
{{- end }}
{{- end }}
{{- if and (not .Values.redis.enabled) (not .Values.redis.url) (not .Values.redis.existingSecret) }}
{{- fail "redis.enabled=false needs an external Redis: set redis.url or redis.existingSecret" }}
{{- end }}
{{- if and (not .Values.nats.enabled) (not .Values.nats.servers) (not .Values.nats.existingSecret) }}
{{- fail "nats.enabled=false needs external NATS: set nats.servers or nats.existingSecret" }}
{{- end }}
{{- end -}}

{{/* Environment shared by every role: identity, registry and events (bundled servers or external ones). */}}
{{- define "rtmpc.commonEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: RTMPC_NODE_ID
  value: "$(POD_NAME)"
{{- if .Values.redis.enabled }}
- name: RTMPC_REDIS_URL
  value: "redis://{{ include "rtmpc.fullname" . }}-redis:6379"
- name: RTMPC_REDIS_USERNAME
  value: {{ include "rtmpc.backendUser" . | quote }}
- name: RTMPC_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.redisSecretName" . }}
      key: password
{{- else }}
- name: RTMPC_REDIS_URL
{{- if .Values.redis.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else }}
  value: {{ .Values.redis.url | quote }}
{{- end }}
{{- end }}
{{- if .Values.nats.enabled }}
- name: RTMPC_NATS_SERVERS
  value: "nats://{{ include "rtmpc.fullname" . }}-nats:4222"
{{- else }}
- name: RTMPC_NATS_SERVERS
{{- if .Values.nats.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.nats.existingSecret }}
      key: {{ .Values.nats.existingSecretKey }}
{{- else }}
  value: {{ .Values.nats.servers | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The bundled NATS server's user of one role (its permissions are in files/nats.conf). Call with
(dict "root" $ "role" "origin"); renders nothing with external NATS (credentials are in its URLs).
*/}}
{{- define "rtmpc.natsUserEnv" -}}
{{- if .root.Values.nats.enabled }}
- name: RTMPC_NATS_USER
  value: {{ printf "%s-%s" (include "rtmpc.backendUser" .root) .role | quote }}
- name: RTMPC_NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.natsSecretName" .root }}
      key: {{ .role }}-password
{{- end }}
{{- end -}}

{{/* Every node role: the cluster secret node commands are signed and verified with. */}}
{{- define "rtmpc.clusterSecretEnv" -}}
- name: RTMPC_CLUSTER_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.secretName" . }}
      key: cluster-secret
{{- end -}}

{{/* Origins and edges: the relay credential and the keys that verify publishers and players. */}}
{{- define "rtmpc.mediaEnv" -}}
- name: RTMPC_RELAY_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.secretName" . }}
      key: relay-token
{{- if include "rtmpc.usesTokens" . }}
- name: RTMPC_AUTH_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.keysSecretName" . }}
      key: {{ .Values.auth.keysSecretKey }}
{{- end }}
{{- if .Values.auth.staticKeysSecretKey }}
- name: RTMPC_AUTH_STATIC_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.auth.keysSecret }}
      key: {{ .Values.auth.staticKeysSecretKey }}
{{- end }}
{{- end -}}

{{/* The control plane only: the bearer token of its API. */}}
{{- define "rtmpc.controlEnv" -}}
- name: RTMPC_CONTROL_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.secretName" . }}
      key: control-token
{{- end -}}

{{/* RTMPS: the certificate Secret mounted where RTMPC_TLS_*_FILE point. */}}
{{- define "rtmpc.tlsVolumeMount" -}}
{{- if .Values.rtmps.enabled }}
- { name: rtmps-cert, mountPath: /tls, readOnly: true }
{{- end }}
{{- end -}}
{{- define "rtmpc.tlsVolume" -}}
{{- if .Values.rtmps.enabled }}
- name: rtmps-cert
  secret:
    secretName: {{ required "rtmps.certSecret is required when rtmps.enabled" .Values.rtmps.certSecret }}
{{- end }}
{{- end -}}
{{- define "rtmpc.tlsContainerPort" -}}
{{- if .Values.rtmps.enabled }}
- { name: rtmps, containerPort: 1936, protocol: TCP }
{{- end }}
{{- end -}}
{{- define "rtmpc.tlsServicePort" -}}
{{- if .Values.rtmps.enabled }}
- { name: rtmps, port: {{ .Values.rtmps.port }}, targetPort: rtmps, protocol: TCP }
{{- end }}
{{- end -}}

{{/* Config checksum so pods roll when the ConfigMap or a Secret they read changes. */}}
{{- define "rtmpc.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/*
A generated secret value kept across upgrades: the value given, else the one already in the cluster's Secret, else a
new random one. Call with (dict "root" $ "secret" NAME "key" KEY "value" GIVEN "length" N).
*/}}
{{- define "rtmpc.keptSecret" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if .value -}}
{{- .value -}}
{{- else if and $existing (hasKey $existing.data .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum .length -}}
{{- end -}}
{{- end -}}

{{- define "rtmpc.httpProbes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: 5
  timeoutSeconds: 2
  failureThreshold: 2
{{- end -}}

{{/* A NetworkPolicy peer: this release's pods of one component. Call with (dict "root" $ "component" "edge"). */}}
{{- define "rtmpc.podsOf" -}}
- podSelector:
    matchLabels:
      {{- include "rtmpc.selectorLabels" . | nindent 6 }}
{{- end -}}
