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
- /app/packages/node/dist/cli.js
{{- end -}}

{{/* Environment shared by every role. */}}
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
- name: RTMPC_REDIS_URL
{{- if .Values.redis.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else }}
  value: {{ .Values.redis.url | quote }}
{{- end }}
- name: RTMPC_NATS_SERVERS
{{- if .Values.nats.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.nats.existingSecret }}
      key: {{ .Values.nats.existingSecretKey }}
{{- else }}
  value: {{ .Values.nats.servers | quote }}
{{- end }}
- name: RTMPC_CONTROL_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.secretName" . }}
      key: control-token
- name: RTMPC_RELAY_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "rtmpc.secretName" . }}
      key: relay-token
{{- if .Values.auth.keysSecret }}
{{- if .Values.auth.keysSecretKey }}
- name: RTMPC_AUTH_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.auth.keysSecret }}
      key: {{ .Values.auth.keysSecretKey }}
{{- end }}
{{- if .Values.auth.staticKeysSecretKey }}
- name: RTMPC_AUTH_STATIC_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.auth.keysSecret }}
      key: {{ .Values.auth.staticKeysSecretKey }}
{{- end }}
{{- end }}
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

{{/* Config checksum so pods roll when the ConfigMap or Secret changes. */}}
{{- define "rtmpc.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
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
