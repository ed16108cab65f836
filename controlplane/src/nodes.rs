//! The fake nodes kwok manages: names, labels and resources (including extended resources such
//! as `nvidia.com/gpu`), rendered as the `v1 List` that `kubectl create` takes.

use std::collections::BTreeMap;

/// Resources every node advertises unless overridden (capacity = allocatable).
pub const DEFAULT_RESOURCES: [(&str, &str); 3] =
    [("cpu", "32"), ("memory", "256Gi"), ("pods", "110")];

/// Annotation kwok uses to recognise its nodes (informational with `--manage-all-nodes`).
const KWOK_NODE_ANNOTATION: &str = "kwok.x-k8s.io/node";

/// One fake node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeConfig {
    /// Node name; empty = `kwok-node-<index>`.
    pub name: String,
    /// Extra labels (beside `kubernetes.io/hostname`, `kubernetes.io/os`, `kubernetes.io/arch`, `type=kwok`).
    pub labels: BTreeMap<String, String>,
    /// Resources on top of [`DEFAULT_RESOURCES`] (same key overrides), e.g. `nvidia.com/gpu` → `8`.
    pub resources: BTreeMap<String, String>,
}

impl NodeConfig {
    /// A node with default resources and no extra labels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a resource quantity (`cpu`, `memory`, `pods`, `nvidia.com/gpu`, …).
    pub fn resource(mut self, name: impl Into<String>, quantity: impl Into<String>) -> Self {
        self.resources.insert(name.into(), quantity.into());
        self
    }

    /// Sets a label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }
}

/// Final name of node `index`.
pub(crate) fn node_name(node: &NodeConfig, index: usize) -> String {
    if node.name.is_empty() {
        format!("kwok-node-{index}")
    } else {
        node.name.clone()
    }
}

/// The `v1 List` of Node objects (JSON) for `kubectl create -f`.
pub(crate) fn render(nodes: &[NodeConfig]) -> String {
    let items: Vec<serde_json::Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let name = node_name(n, i);
            let mut labels: BTreeMap<String, String> = [
                ("kubernetes.io/arch", "amd64"),
                ("kubernetes.io/os", "linux"),
                ("type", "kwok"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            labels.insert("kubernetes.io/hostname".into(), name.clone());
            labels.extend(n.labels.clone());
            let mut resources: BTreeMap<String, String> = DEFAULT_RESOURCES
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            resources.extend(n.resources.clone());
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "labels": labels,
                    "annotations": {
                        "node.alpha.kubernetes.io/ttl": "0",
                        KWOK_NODE_ANNOTATION: "fake",
                    },
                },
                "spec": {},
                "status": {
                    "capacity": resources,
                    "allocatable": resources,
                },
            })
        })
        .collect();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

/// kind's `kube-system` DNS objects: the `coredns` Deployment (2 replicas, simulated) and the
/// `kube-dns` Service on `10.96.0.10`, as a `v1 List` for `kubectl apply -f`.
pub(crate) fn coredns() -> String {
    let labels = serde_json::json!({"k8s-app": "kube-dns"});
    let list = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "coredns", "namespace": "kube-system", "labels": labels},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "priorityClassName": "system-cluster-critical",
                            "containers": [{
                                "name": "coredns",
                                "image": "registry.k8s.io/coredns/coredns:v1.12.1",
                                "args": ["-conf", "/etc/coredns/Corefile"],
                                "ports": [
                                    {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                    {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}
                                ]
                            }]
                        }
                    }
                }
            },
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": labels},
                "spec": {
                    "clusterIP": "10.96.0.10",
                    "selector": labels,
                    "ports": [
                        {"name": "dns", "port": 53, "targetPort": 53, "protocol": "UDP"},
                        {"name": "dns-tcp", "port": 53, "targetPort": 53, "protocol": "TCP"}
                    ]
                }
            }
        ]
    });
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_names_labels_and_extended_resources() {
        let nodes = vec![
            NodeConfig::new(),
            NodeConfig::new()
                .resource("nvidia.com/gpu", "8")
                .resource("cpu", "4")
                .label("pool", "gpu"),
        ];
        let v: serde_json::Value = serde_json::from_str(&render(&nodes)).unwrap();
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["metadata"]["name"], "kwok-node-0");
        assert_eq!(items[0]["status"]["capacity"]["cpu"], "32");
        assert!(
            items[0]["status"]["capacity"]
                .get("nvidia.com/gpu")
                .is_none()
        );
        assert_eq!(items[1]["metadata"]["name"], "kwok-node-1");
        assert_eq!(items[1]["metadata"]["labels"]["pool"], "gpu");
        assert_eq!(
            items[1]["metadata"]["labels"]["kubernetes.io/hostname"],
            "kwok-node-1"
        );
        assert_eq!(items[1]["status"]["allocatable"]["nvidia.com/gpu"], "8");
        assert_eq!(items[1]["status"]["capacity"]["cpu"], "4");
        assert_eq!(items[1]["status"]["capacity"]["memory"], "256Gi");
        assert!(items[1]["spec"].get("taints").is_none());
    }
}
