{{/* Names, labels and the per-component view of the values. No remote library chart: these few
     helpers follow helm create and bitnami/common. */}}

{{- define "wab.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wab.fullname" -}}
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

{{/* <fullname>-<component>, the base truncated so that the component suffix survives. Args: (list $ "name") */}}
{{- define "wab.componentName" -}}
{{- $root := index . 0 -}}{{- $c := index . 1 -}}
{{- printf "%s-%s" (include "wab.fullname" $root | trunc (sub 62 (len $c) | int) | trimSuffix "-") $c -}}
{{- end -}}

{{- define "wab.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Immutable selector labels. Args: (list $ "component") */}}
{{- define "wab.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "wab.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Args: (list $ "component") */}}
{{- define "wab.labels" -}}
{{- $root := index . 0 -}}
{{ include "wab.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "wab.name" $root }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ include "wab.chart" $root }}
{{- end -}}

{{- define "wab.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wab.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The component's values deep-merged over .Values.defaults, as YAML. Args: (list $ "name") */}}
{{- define "wab.componentValues" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}
{{- $c := index $root.Values.components $name | default dict -}}
{{- toYaml (mustMergeOverwrite (deepCopy $root.Values.defaults) (deepCopy $c)) -}}
{{- end -}}

{{/* Known components and what they need. */}}
{{- define "wab.knownComponents" -}}upload-gateway csv-splitter dispatcher status-tracker{{- end -}}

{{/* Secret keys per component: required ones fail the render when no source is configured. */}}
{{- define "wab.secretKeys" -}}
upload-gateway: {required: [WHATSAPP_TOKEN, API_KEYS, INTERNAL_API_TOKEN], optional: [S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY]}
csv-splitter: {required: [INTERNAL_API_TOKEN], optional: [S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY]}
dispatcher: {required: [WHATSAPP_TOKEN, DATABASE_URL], optional: [DISPATCH_DATABASE_URL]}
status-tracker: {required: [DATABASE_URL, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, INTERNAL_API_TOKEN], optional: []}
{{- end -}}

{{/* Image reference. Args: (list $ "component" $componentValues) */}}
{{- define "wab.image" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}{{- $c := index . 2 -}}
{{- $g := $root.Values.global.image -}}
{{- $img := $c.image | default dict -}}
{{- $repo := $img.repository | default (printf "%s/%s%s" $g.registry $g.repositoryPrefix $name) -}}
{{- $digest := $img.digest -}}
{{- $tag := $img.tag | default $g.tag | default $root.Chart.AppVersion -}}
{{- if $digest -}}{{ printf "%s@%s" $repo $digest }}{{- else -}}{{ printf "%s:%s" $repo $tag }}{{- end -}}
{{- end -}}

{{/* Whether KEDA scales this component. Args: (list $ $componentValues) */}}
{{- define "wab.kedaOn" -}}
{{- $root := index . 0 -}}{{- $c := index . 1 -}}
{{- if and $root.Values.keda.enabled $c.keda.enabled $c.keda.triggers -}}true{{- end -}}
{{- end -}}

{{/* Name of the Secret the chart creates (development values). */}}
{{- define "wab.secretName" -}}{{ include "wab.fullname" . }}-secrets{{- end -}}

{{/* env entries for a component's secret keys. Args: (list $ "component") */}}
{{- define "wab.secretEnv" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}
{{- $spec := get (include "wab.secretKeys" $root | fromYaml) $name -}}
{{- $s := $root.Values.secrets -}}
{{- range $required := list true false -}}
{{- range $key := (ternary $spec.required $spec.optional $required) }}
{{- $ref := dict -}}
{{- if hasKey $s.existingSecretKeys $key -}}
{{- $ref = get $s.existingSecretKeys $key -}}
{{- else if $s.existingSecret -}}
{{- $ref = dict "name" $s.existingSecret "key" $key -}}
{{- else if (get $s.values $key) -}}
{{- $ref = dict "name" (include "wab.secretName" $root) "key" $key -}}
{{- else if $required -}}
{{- fail (printf "%s needs %s: set secrets.existingSecret, secrets.existingSecretKeys.%s or secrets.values.%s" $name $key $key $key) -}}
{{- end -}}
{{- if $ref }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name | quote }}
      key: {{ $ref.key | quote }}
      {{- if not $required }}
      optional: true
      {{- end }}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Plain settings of a component (its ConfigMap). Args: (list $ "component" $componentValues) */}}
{{- define "wab.configData" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}{{- $c := index . 2 -}}
{{- $d := dict "HOST" "0.0.0.0" "PORT" (toString $c.containerPort) "LOG_LEVEL" $c.logLevel
  "KAFKA_BROKERS" $root.Values.kafka.brokers "KAFKA_CLIENT_ID" $name "KAFKA_TOPIC_PREFIX" $root.Values.kafka.topicPrefix -}}
{{- if has $name (list "upload-gateway" "csv-splitter") -}}
{{- $_ := set $d "S3_ENDPOINT" $root.Values.s3.endpoint -}}
{{- $_ := set $d "S3_REGION" $root.Values.s3.region -}}
{{- $_ := set $d "S3_BUCKET" $root.Values.s3.bucket -}}
{{- $_ := set $d "S3_FORCE_PATH_STYLE" (toString $root.Values.s3.forcePathStyle) -}}
{{- end -}}
{{- if has $name (list "upload-gateway" "dispatcher") -}}
{{- $_ := set $d "WHATSAPP_API_BASE_URL" $root.Values.whatsapp.apiBaseUrl -}}
{{- $_ := set $d "WHATSAPP_API_VERSION" $root.Values.whatsapp.apiVersion -}}
{{- end -}}
{{- if eq $name "upload-gateway" -}}
{{- $_ := set $d "WHATSAPP_WABA_ID" (toString $root.Values.whatsapp.wabaId) -}}
{{- end -}}
{{- if has $name (list "upload-gateway" "csv-splitter") -}}
{{- $tracker := include "wab.componentValues" (list $root "status-tracker") | fromYaml -}}
{{- $_ := set $d "STATUS_TRACKER_URL" (printf "http://%s:%v" (include "wab.componentName" (list $root "status-tracker")) $tracker.service.port) -}}
{{- end -}}
{{- range $k, $v := $c.config -}}
{{- $_ := set $d $k (toString $v) -}}
{{- end -}}
{{- range $k, $v := $d -}}
{{- if ne (toString $v) "" }}
{{ $k }}: {{ $v | toString | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Partition count of a topic key. Args: (list $ "sendRequests") */}}
{{- define "wab.partitions" -}}
{{- $root := index . 0 -}}{{- $key := index . 1 -}}
{{- if not (hasKey $root.Values.topics.partitions $key) -}}
{{- fail (printf "unknown topic key %q (expected one of %s)" $key (keys $root.Values.topics.partitions | sortAlpha | join ", ")) -}}
{{- end -}}
{{- get $root.Values.topics.partitions $key -}}
{{- end -}}

{{/* Topic name from its key. Args: (list $ "sendRequests") */}}
{{- define "wab.topicName" -}}
{{- $root := index . 0 -}}{{- $key := index . 1 -}}
{{- $names := dict "uploaded" "uploaded" "rows" "rows" "sendRequests" "send-requests" "sendResults" "send-results" "deadLetter" "dead-letter" "broadcastControl" "broadcast-control" -}}
{{- printf "%s%s" $root.Values.kafka.topicPrefix (get $names $key) -}}
{{- end -}}
