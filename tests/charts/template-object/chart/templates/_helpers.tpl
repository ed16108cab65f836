{{- define "where" }}{{ .Template.Name }} in {{ .Template.BasePath }}{{ end -}}
