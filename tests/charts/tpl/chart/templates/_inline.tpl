{{- define "inline" }}from-file-{{ . }}{{ end -}}
