{{- define "parent.uses.this" -}}defined in parent (wins){{- end -}}
