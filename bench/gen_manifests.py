"""Generate varied Kubernetes manifests for bench/validate.py.

Usage: python3 bench/gen_manifests.py OUTDIR NDOCS [DOCS_PER_FILE] [--cr-schema-dir DIR]

Kinds: Deployment, Service, ConfigMap, Ingress, HorizontalPodAutoscaler, CronJob, Role,
RoleBinding, ClusterRole, ServiceAccount, a CustomResourceDefinition (crd.yaml) and
custom resources of it; about 1 document in 12 is invalid (wrong type, unknown field,
missing required field, bad enum). Deterministic (seeded). Also writes the CR's JSON schema
for kubeconform (widget-example-v1.json) into --cr-schema-dir when given.
"""
import json
import os
import random
import sys

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 100}
              color: {type: string, enum: [red, green, blue]}
              labels: {type: object, additionalProperties: {type: string}}
"""

CR_SCHEMA = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["size"],
            "additionalProperties": False,
            "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 100},
                "color": {"type": "string", "enum": ["red", "green", "blue"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}


def container(r, i, bad):
    c = f"""      - name: app{i}
        image: registry.example.com/app:{r.randint(1, 9)}.{r.randint(0, 20)}
        ports:
        - containerPort: {r.choice([80, 8080, 9090])}
          protocol: TCP
        env:
        - name: MODE
          value: "{r.choice(['prod', 'dev'])}"
        resources:
          limits: {{cpu: "{r.randint(1, 4)}", memory: {r.randint(64, 512)}Mi}}
        readinessProbe:
          httpGet: {{path: /healthz, port: {r.choice([80, 8080])}}}
"""
    if bad == "unknown":
        c += "        imagePullPolicyy: Always\n"
    return c


def deployment(r, i, bad):
    replicas = '"three"' if bad == "type" else r.randint(1, 5)
    cont = "" if bad == "required" else "      containers:\n" + "".join(container(r, j, bad) for j in range(r.randint(1, 3)))
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  labels: {{app: web-{i}, tier: "{r.choice(['front', 'back'])}"}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
{cont}      restartPolicy: Always
"""


def service(r, i, bad):
    typ = "Loadbalancer" if bad == "enum" else r.choice(["ClusterIP", "NodePort", "LoadBalancer"])
    port = '"http"' if bad == "type" else r.choice([80, 443, 8080])
    return f"""apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
spec:
  type: {typ}
  selector: {{app: web-{i}}}
  ports:
  - name: http
    port: {port}
    targetPort: {r.choice(['http', 8080])}
"""


def configmap(r, i, bad):
    data = "\n".join(f"  key{k}: \"value {r.random():.6f}\"" for k in range(r.randint(1, 8)))
    extra = "  nested: {a: 1}\n" if bad == "type" else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n{data}\n{extra}"


def ingress(r, i, bad):
    pt = "Prefixx" if bad == "enum" else r.choice(["Prefix", "Exact", "ImplementationSpecific"])
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing-{i}
  annotations: {{nginx.ingress.kubernetes.io/rewrite-target: /}}
spec:
  ingressClassName: nginx
  tls:
  - hosts: [app{i}.example.com]
    secretName: tls-{i}
  rules:
  - host: app{i}.example.com
    http:
      paths:
      - path: /
        pathType: {pt}
        backend:
          service: {{name: svc-{i}, port: {{number: 80}}}}
"""


def hpa(r, i, bad):
    mx = "" if bad == "required" else f"  maxReplicas: {r.randint(5, 20)}\n"
    return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa-{i}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web-{i}}}
  minReplicas: 1
{mx}  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {{type: Utilization, averageUtilization: {r.randint(50, 90)}}}
"""


def cronjob(r, i, bad):
    policy = "Sometimes" if bad == "enum" else r.choice(["Allow", "Forbid", "Replace"])
    return f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: job-{i}
spec:
  schedule: "*/{r.randint(1, 59)} * * * *"
  concurrencyPolicy: {policy}
  jobTemplate:
    spec:
      backoffLimit: {r.randint(0, 6)}
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox:1.36
            command: [sh, -c, "echo {i}"]
"""


def rbac(r, i, bad):
    verbs = '"get"' if bad == "type" else "[get, list, watch]"
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-{i}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: role-{i}
rules:
- apiGroups: [""]
  resources: [pods, configmaps]
  verbs: {verbs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb-{i}
subjects:
- kind: ServiceAccount
  name: sa-{i}
  namespace: default
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{i}}}
"""


def clusterrole(r, i, bad):
    return f"""apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr-{i}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list]
"""


def widget(r, i, bad):
    size = 1000 if bad == "type" else r.randint(1, 100)
    color = "purple" if bad == "enum" else r.choice(["red", "green", "blue"])
    return f"""apiVersion: example.com/v1
kind: Widget
metadata:
  name: widget-{i}
spec:
  size: {size}
  color: {color}
  labels: {{team: t{i % 7}}}
"""


GENS = [(deployment, ["type", "unknown", "required"]), (service, ["type", "enum"]), (configmap, ["type"]),
        (ingress, ["enum"]), (hpa, ["required"]), (cronjob, ["enum"]), (rbac, ["type"]),
        (clusterrole, []), (widget, ["type", "enum"])]


def docs_of(text):
    return text.count("\n---\n") + 1


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    schema_dir = None
    if "--cr-schema-dir" in sys.argv:
        schema_dir = sys.argv[sys.argv.index("--cr-schema-dir") + 1]
        args.remove(schema_dir)
    out, ndocs = args[0], int(args[1])
    per_file = int(args[2]) if len(args) > 2 else 1
    os.makedirs(out, exist_ok=True)
    r = random.Random(42)
    with open(os.path.join(out, "000-crd.yaml"), "w") as f:
        f.write(CRD)
    if schema_dir:
        os.makedirs(schema_dir, exist_ok=True)
        with open(os.path.join(schema_dir, "widget-example-v1.json"), "w") as f:
            json.dump(CR_SCHEMA, f)
    n, i, fileno, buf, in_buf = 1, 0, 0, [], 0
    while n < ndocs:
        gen, bads = GENS[i % len(GENS)]
        bad = r.choice(bads) if bads and r.random() < 1 / 12 else None
        text = gen(r, i, bad)
        buf.append(text)
        in_buf += 1
        n += docs_of(text)
        i += 1
        if in_buf >= per_file or n >= ndocs:
            fileno += 1
            with open(os.path.join(out, f"m{fileno:06d}.yaml"), "w") as f:
                f.write("---\n".join(buf))
            buf, in_buf = [], 0
    print(f"{n} documents in {fileno + 1} files under {out}")


if __name__ == "__main__":
    main()
