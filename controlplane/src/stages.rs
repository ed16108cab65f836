//! kwok `Stage` definitions: what the simulated kubelet does to nodes and pods.
//!
//! kwok v0.8.0 run on its own has no stages (it exits with `no stages found`); kwokctl injects
//! its defaults. We ship our own set, written for test semantics:
//!
//! | stage | selects | effect |
//! |---|---|---|
//! | `node-ready` | nodes not Ready | Ready, addresses (`localhost`), kubelet port, capacity kept from the Node object |
//! | `node-heartbeat` | Ready nodes | refreshes conditions every few minutes (liveness comes from the node Lease kwok renews) |
//! | `pod-start` | bound Pending pods, not annotated `kindtest.dev/pod-phase: Pending` | Running, Ready, pod IP |
//! | `pod-succeed` | Running pods with `restartPolicy` Never/OnFailure (Jobs, Helm test hooks, bare pods) and no non-zero `kindtest.dev/exit-code` | Succeeded, exit code 0 |
//! | `pod-fail` | same, with `kindtest.dev/exit-code: "N"` (N ≠ 0) | Failed, containers terminated with exit code N (reason `Error`) |
//! | `pod-delete` | pods being deleted | removed (what the kubelet does), so namespaces finish deleting |
//!
//! kwok's stock `pod-complete` stage only completes Job-owned pods; Helm test hooks are bare
//! pods and would hang, hence `pod-succeed` selects on `restartPolicy`. Selectors are mutually
//! exclusive so kwok's weighted choice between matching stages never matters.
//! `kindtest.dev/run-duration` (a Go duration such as `3s`) delays completion or failure.
//! `restartPolicy: Always` pods (Deployments, StatefulSets, DaemonSets) stay Running.

use std::path::Path;

use crate::Error;

/// Pod annotation: `Pending` keeps a bound pod Pending forever (it never starts).
pub const ANNOTATION_POD_PHASE: &str = "kindtest.dev/pod-phase";
/// Pod annotation: a non-zero integer makes a run-to-completion pod fail with that exit code.
pub const ANNOTATION_EXIT_CODE: &str = "kindtest.dev/exit-code";
/// Pod annotation: how long a run-to-completion pod runs (Go duration, e.g. `2s`; default 500ms).
pub const ANNOTATION_RUN_DURATION: &str = "kindtest.dev/run-duration";

/// One kwok Stage document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `metadata.name`; unique within a set.
    pub name: String,
    /// The YAML document (without `---`).
    pub yaml: String,
}

/// The stages handed to kwok (`--config`). [`StageSet::default`] is the table in the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageSet {
    stages: Vec<Stage>,
}

impl Default for StageSet {
    fn default() -> Self {
        StageSet {
            stages: BUILTIN
                .iter()
                .map(|(name, yaml)| Stage {
                    name: (*name).to_string(),
                    yaml: (*yaml).to_string(),
                })
                .collect(),
        }
    }
}

impl StageSet {
    /// No stages at all (kwok refuses to start with none; add some).
    pub fn empty() -> Self {
        StageSet { stages: Vec::new() }
    }

    /// Names of the built-in stages, in order.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }

    /// Drops the stage called `name` (e.g. `pod-succeed` to leave Jobs running forever).
    pub fn without(mut self, name: &str) -> Self {
        self.stages.retain(|s| s.name != name);
        self
    }

    /// Adds (or replaces, by name) a stage.
    pub fn with(mut self, stage: Stage) -> Self {
        if let Some(existing) = self.stages.iter_mut().find(|s| s.name == stage.name) {
            *existing = stage;
        } else {
            self.stages.push(stage);
        }
        self
    }

    /// Adds every `kind: Stage` document of a YAML file (replacing built-ins of the same name).
    pub fn with_file(mut self, path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        for (i, doc) in split_documents(&text).into_iter().enumerate() {
            let name = stage_name(doc).ok_or_else(|| {
                Error::Config(format!(
                    "{}: document {} is not a kwok Stage with metadata.name",
                    path.display(),
                    i + 1
                ))
            })?;
            self = self.with(Stage {
                name,
                yaml: doc.trim_end().to_string(),
            });
        }
        Ok(self)
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The multi-document YAML written to kwok's `--config` file.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for s in &self.stages {
            out.push_str("---\n");
            out.push_str(s.yaml.trim_end());
            out.push('\n');
        }
        out
    }
}

fn split_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            docs.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    docs.push(&text[start..]);
    docs.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// `metadata.name` of a Stage document (top-level `kind: Stage`, then the first `name:` under
/// a top-level `metadata:`), read line-wise: enough for the block-style YAML stages are.
fn stage_name(doc: &str) -> Option<String> {
    let mut is_stage = false;
    let mut in_metadata = false;
    let mut name = None;
    for line in doc.lines() {
        if !line.starts_with(' ') && !line.starts_with('\t') {
            in_metadata = line.trim_end() == "metadata:";
            if let Some(kind) = line.strip_prefix("kind:") {
                is_stage = kind.trim() == "Stage";
            }
        } else if in_metadata
            && name.is_none()
            && let Some(v) = line.trim_start().strip_prefix("name:")
        {
            name = Some(v.trim().trim_matches(|c| c == '"' || c == '\'').to_string());
        }
    }
    if is_stage {
        name.filter(|n| !n.is_empty())
    } else {
        None
    }
}

const BUILTIN: &[(&str, &str)] = &[
    ("node-ready", NODE_READY),
    ("node-heartbeat", NODE_HEARTBEAT),
    ("pod-start", POD_START),
    ("pod-succeed", POD_SUCCEED),
    ("pod-fail", POD_FAIL),
    ("pod-delete", POD_DELETE),
];

const NODE_READY: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: NotIn
      values: ['True']
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
      addresses:
      {{ with NodeIP }}
      - type: InternalIP
        address: {{ . | Quote }}
      {{ end }}
      {{ with NodeName }}
      - type: Hostname
        address: {{ . | Quote }}
      {{ end }}
      {{ with NodePort }}
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{ . }}
      {{ end }}
      capacity:
      {{ with .status.capacity }}
      {{ YAML . 1 }}
      {{ else }}
        cpu: "32"
        memory: 256Gi
        pods: "110"
      {{ end }}
      allocatable:
      {{ with .status.allocatable }}
      {{ YAML . 1 }}
      {{ else }}
        cpu: "32"
        memory: 256Gi
        pods: "110"
      {{ end }}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
        kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
        containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
        kernelVersion: {{ printf "kwok-%s" Version | Quote }}
        osImage: kindtest-kwok
        bootID: ""
        machineID: ""
        systemUUID: ""
      phase: Running"#;

const NODE_HEARTBEAT: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-heartbeat
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
    - key: '.status.phase'
      operator: In
      values: ['Running']
    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: In
      values: ['True']
  delay:
    durationMilliseconds: 240000
    jitterDurationMilliseconds: 260000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}"#;

const POD_START: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-start
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Pending']
    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: NotIn
      values: ['True']
    - key: '.metadata.annotations["kindtest.dev/pod-phase"]'
      operator: NotIn
      values: ['Pending']
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - type: PodScheduled
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      - type: Initialized
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      - type: ContainersReady
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      - type: Ready
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      {{ range .spec.readinessGates }}
      - type: {{ .conditionType | Quote }}
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        restartCount: 0
        {{ if eq (or .restartPolicy "") "Always" }}
        started: true
        state:
          running:
            startedAt: {{ $now | Quote }}
        {{ else }}
        started: false
        state:
          terminated:
            exitCode: 0
            reason: Completed
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
        {{ end }}
      {{ end }}
      {{ with NodeIPWith .spec.nodeName }}
      hostIP: {{ . | Quote }}
      hostIPs:
      - ip: {{ . | Quote }}
      {{ end }}
      {{ with PodIPWith .spec.nodeName (or .spec.hostNetwork false) (or .metadata.uid "") (or .metadata.name "") (or .metadata.namespace "") }}
      podIP: {{ . | Quote }}
      podIPs:
      - ip: {{ . | Quote }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}"#;

const POD_SUCCEED: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-succeed
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Running']
    - key: '.spec.restartPolicy'
      operator: In
      values: ['Never', 'OnFailure']
    - key: '(.metadata.annotations["kindtest.dev/exit-code"] // "0") | tostring'
      operator: In
      values: ['0']
  delay:
    durationMilliseconds: 500
    durationFrom:
      expressionFrom: '.metadata.annotations["kindtest.dev/run-duration"]'
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - type: Ready
        status: "False"
        reason: PodCompleted
        lastTransitionTime: {{ $now | Quote }}
      - type: ContainersReady
        status: "False"
        reason: PodCompleted
        lastTransitionTime: {{ $now | Quote }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          terminated:
            exitCode: 0
            reason: Completed
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      phase: Succeeded"#;

const POD_FAIL: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-fail
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Running']
    - key: '.spec.restartPolicy'
      operator: In
      values: ['Never', 'OnFailure']
    - key: '(.metadata.annotations["kindtest.dev/exit-code"] // "0") | tostring'
      operator: NotIn
      values: ['0']
  delay:
    durationMilliseconds: 500
    durationFrom:
      expressionFrom: '.metadata.annotations["kindtest.dev/run-duration"]'
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $code := atoi (index .metadata.annotations "kindtest.dev/exit-code") }}
      {{ if eq $code 0 }}{{ $code = 1 }}{{ end }}
      conditions:
      - type: Ready
        status: "False"
        reason: PodFailed
        lastTransitionTime: {{ $now | Quote }}
      - type: ContainersReady
        status: "False"
        reason: PodFailed
        lastTransitionTime: {{ $now | Quote }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          terminated:
            exitCode: {{ $code }}
            reason: Error
            message: {{ printf "simulated failure (%s)" "kindtest.dev/exit-code" | Quote }}
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      phase: Failed"#;

const POD_DELETE: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-delete
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: Exists
  next:
    delete: true"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_match_metadata() {
        let set = StageSet::default();
        assert_eq!(set.stages().len(), 6);
        for s in set.stages() {
            assert_eq!(stage_name(&s.yaml).as_deref(), Some(s.name.as_str()));
            assert!(!s.yaml.contains('\t'), "{}: tabs in YAML", s.name);
        }
        let rendered = set.render();
        assert_eq!(rendered.matches("\n---\n").count() + 1, 6);
        assert!(rendered.starts_with("---\napiVersion: kwok.x-k8s.io/v1alpha1\n"));
    }

    #[test]
    fn annotations_in_stages_are_the_public_constants() {
        let text = StageSet::default().render();
        for a in [
            ANNOTATION_POD_PHASE,
            ANNOTATION_EXIT_CODE,
            ANNOTATION_RUN_DURATION,
        ] {
            assert!(
                text.contains(&format!("[\"{a}\"]")),
                "{a} not used in a selector"
            );
        }
    }

    #[test]
    fn completion_selectors_are_mutually_exclusive() {
        let set = StageSet::default();
        let get = |n: &str| {
            set.stages()
                .iter()
                .find(|s| s.name == n)
                .unwrap()
                .yaml
                .clone()
        };
        let (ok, fail) = (get("pod-succeed"), get("pod-fail"));
        let key = r#"'(.metadata.annotations["kindtest.dev/exit-code"] // "0") | tostring'"#;
        let after = |y: &str| {
            y[y.find(key).unwrap()..]
                .lines()
                .nth(1)
                .unwrap()
                .trim()
                .to_string()
        };
        assert_eq!(after(&ok), "operator: In");
        assert_eq!(after(&fail), "operator: NotIn");
    }

    #[test]
    fn without_with_and_files() {
        let set = StageSet::default().without("pod-succeed");
        assert!(!set.stages().iter().any(|s| s.name == "pod-succeed"));
        let dir = crate::testutil::tempdir("stages");
        let file = dir.join("extra.yaml");
        std::fs::write(
            &file,
            "# comment\n---\napiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: pod-fail\n  labels: {}\nspec: {}\n---\nkind: Stage\nmetadata:\n  name: \"custom\"\n",
        )
        .unwrap();
        let set = set.with_file(&file).unwrap();
        let names: Vec<&str> = set.stages().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "node-ready",
                "node-heartbeat",
                "pod-start",
                "pod-fail",
                "pod-delete",
                "custom"
            ]
        );
        assert!(set.stages()[3].yaml.ends_with("spec: {}"));
        std::fs::write(&file, "kind: ConfigMap\nmetadata:\n  name: x\n").unwrap();
        let err = StageSet::empty().with_file(&file).unwrap_err().to_string();
        assert!(err.contains("document 1 is not a kwok Stage"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
