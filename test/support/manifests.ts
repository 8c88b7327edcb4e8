// The objects the end-to-end tests create with `kubectl create -f`.

export function demoManifests(namespace: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${namespace}
  labels: {tier: config}
data:
  mode: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: credentials
  namespace: ${namespace}
type: Opaque
data:
  password: aHVudGVyMg==
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: ${namespace}
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;
}
