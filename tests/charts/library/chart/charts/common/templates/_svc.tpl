{{- define "common.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .ctx.Release.Name }}-{{ .name }}
  labels: {{- include "common.labels" .ctx | nindent 4 }}
spec:
  ports:
  {{- range $i, $p := .ports }}
    - name: port-{{ $i }}
      port: {{ $p }}
  {{- end }}
{{- end -}}
{{- define "common.labels" -}}
app: {{ .Chart.Name }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
