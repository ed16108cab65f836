{{- define "kid.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
{{- define "parent.uses.this" -}}defined in kid{{- end -}}
