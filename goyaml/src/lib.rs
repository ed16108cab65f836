//! YAML as Helm and kubectl read and write it.
