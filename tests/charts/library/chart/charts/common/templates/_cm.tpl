{{- define "common.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
  labels: {{- include "common.labels" . | nindent 4 }}
data:
  chart: {{ .Chart.Name }}
{{- end -}}
