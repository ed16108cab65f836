{{- define "need.host" -}}
{{ required "A valid .Values.host entry required!" .Values.host }}
{{- end -}}
