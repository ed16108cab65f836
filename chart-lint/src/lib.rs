//! Render, validate and lint Helm charts.
