//! A real Kubernetes control plane with kwok nodes, run as local processes.
