import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredVariables, renderKustomization } from './support/manifests';
import { KubernetesObject, schemaProblems } from './support/kubernetes-schemas';
import { WORK_QUEUES } from './support/observability-contract';
import { repositoryRoot } from './support/tools';

/**
 * deploy/k8s: the base and the production overlay render, every object is valid against the Kubernetes and CRD
 * schemas, and the things a reviewer checks by hand hold (probes, security, shutdown timing, configuration).
 */

const SECRET_VARIABLES = [
  'DATABASE_URL',
  'RABBITMQ_URL',
  'ADMIN_TOKENS',
  'SMTP_URL',
  'SECRETS_ENCRYPTION_KEY',
  'SECRETS_ENCRYPTION_PREVIOUS_KEYS',
  'REDIS_URL',
  'IDEMPOTENCY_FINGERPRINT_KEY',
  'METRICS_TOKEN',
];
const SECRET_NAME = 'onboarding-secrets';
/** The label selector of the README's deploy step that applies the migration before the apps. */
const FIRST_STEP_SELECTOR = 'app.kubernetes.io/component notin (api,worker)';
const APPS = [
  { name: 'onboarding-api', portVariable: 'PORT', port: 3000, entry: 'dist/apps/api/src/main.js' },
  {
    name: 'onboarding-worker',
    portVariable: 'WORKER_HTTP_PORT',
    port: 3001,
    entry: 'dist/apps/worker/src/main.js',
  },
];

interface Probe {
  httpGet?: { path: string; port: string | number };
  [field: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: object }[];
  automountServiceAccountToken?: boolean;
}
interface Workload extends KubernetesObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

const renders = {
  base: renderKustomization('deploy/k8s/base'),
  production: renderKustomization('deploy/k8s/overlays/production'),
};
const renderNames = Object.keys(renders) as (keyof typeof renders)[];

const find = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name?: string): T[] =>
  objects.filter(
    (object) => object.kind === kind && (name === undefined || object.metadata.name === name),
  ) as T[];
const one = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name: string): T => {
  const found = find<T>(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
};
const configOf = (objects: KubernetesObject[]) => {
  const [configMap] = find<KubernetesObject & { data: Record<string, string> }>(objects, 'ConfigMap');
  return configMap;
};
const podSpecs = (objects: KubernetesObject[]): { owner: string; spec: PodSpec }[] =>
  [...find<Workload>(objects, 'Deployment'), ...find<Workload>(objects, 'Job')].map((workload) => ({
    owner: `${workload.kind} ${workload.metadata.name}`,
    spec: workload.spec.template.spec,
  }));

/** Seconds a preStop hook waits: `exec: [sleep, N]` or the kubelet's own `sleep` action. */
const preStopSeconds = (container: Container): number => {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  if (command.length !== 2 || command[0] !== 'sleep')
    throw new Error(`${container.name}: preStop is not a sleep`);
  return Number(command[1]);
};

describe('Kubernetes manifests (deploy/k8s)', () => {
  it.each(renderNames)(
    'when %s is rendered, then every object is valid against the Kubernetes and CRD schemas',
    async (render) => {
      expect(renders[render].length).toBeGreaterThan(0);
      await expect(schemaProblems(renders[render])).resolves.toEqual([]);
    },
  );

  it('when a manifest has a misspelled field or a wrong type, then the schema check reports each', async () => {
    const mutated = <T extends KubernetesObject>(
      kind: string,
      name: string,
      mutate: (object: T) => void,
    ): T => {
      const copy = structuredClone(one<T>(renders.production, kind, name));
      mutate(copy);
      return copy;
    };
    const firstContainer = (deployment: Workload) =>
      deployment.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    const broken = [
      mutated<Workload>('Deployment', 'onboarding-api', (api) => {
        const container = firstContainer(api);
        container.readinesProbe = container.readinessProbe;
      }),
      mutated<Workload>('Deployment', 'onboarding-worker', (worker) => {
        (firstContainer(worker).ports as { containerPort: unknown }[])[0].containerPort = '3001';
      }),
      mutated('ScaledObject', 'onboarding-worker', (scaledObject) => {
        (scaledObject.spec as Record<string, unknown>).minReplicaCnt = 1;
      }),
      mutated('ServiceMonitor', 'onboarding', (monitor) => {
        (monitor.spec as { endpoints: Record<string, unknown>[] }).endpoints[0].pth = '/metrics';
      }),
      mutated('HorizontalPodAutoscaler', 'onboarding-api', (hpa) => {
        (hpa.spec as Record<string, unknown>).maxReplicas = 'twenty';
      }),
      mutated('Job', 'onboarding-migrate', (job) => {
        (job.spec as Record<string, unknown>).backoffLimit = { times: 4 };
      }),
    ];

    const problems = await schemaProblems(broken);

    for (const expected of [
      /^Deployment onboarding-api: spec\.template\.spec\.containers\[0\]\.readinesProbe: .*readinesProbe/,
      /^Deployment onboarding-worker: .*containerPort must be integer/,
      /^ScaledObject onboarding-worker: spec\.minReplicaCnt: .*minReplicaCnt/,
      /^ServiceMonitor onboarding: spec\.endpoints\[0\]\.pth: .*pth/,
      /^HorizontalPodAutoscaler onboarding-api: .*maxReplicas must be integer/,
      /^Job onboarding-migrate: .*backoffLimit must be integer/,
    ]) {
      expect(problems).toContainEqual(expect.stringMatching(expected));
    }
  });

  describe.each(renderNames)('%s', (render) => {
    const objects = renders[render];
    const config = configOf(objects);

    it('when the apps start, then probes hit their real health paths on the port the app listens on', () => {
      for (const app of APPS) {
        const deployment = one<Workload>(objects, 'Deployment', app.name);
        const [container] = deployment.spec.template.spec.containers;
        expect(container.command).toEqual(['node', app.entry]);
        expect(Number(config.data[app.portVariable])).toBe(app.port);
        const http = container.ports?.find((port) => port.name === 'http');
        expect(http?.containerPort).toBe(app.port);
        for (const [probe, path] of [
          ['startupProbe', '/health/live'],
          ['livenessProbe', '/health/live'],
          ['readinessProbe', '/health/ready'],
        ] as const) {
          const target = container[probe]?.httpGet;
          expect({ app: app.name, probe, path: target?.path }).toEqual({ app: app.name, probe, path });
          const port = target?.port === 'http' ? http?.containerPort : target?.port;
          expect({ app: app.name, probe, port }).toEqual({ app: app.name, probe, port: app.port });
        }
      }
    });

    it('when any pod runs, then it is non-root, read-only, unprivileged, without capabilities, seccomp-confined', () => {
      for (const { owner, spec } of podSpecs(objects)) {
        expect({ owner, pod: spec.securityContext }).toMatchObject({
          owner,
          pod: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        });
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
          expect({ owner, container: container.name, securityContext: container.securityContext }).toEqual({
            owner,
            container: container.name,
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          });
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          expect(spec.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
          expect(container.resources?.requests).toEqual({
            cpu: expect.any(String),
            memory: expect.any(String),
          });
          expect(container.resources?.limits?.memory).toEqual(expect.any(String));
        }
      }
    });

    it('when a pod is deleted, then the grace period outlasts preStop + SHUTDOWN_TIMEOUT_MS + the 5 s exit margin', () => {
      const shutdownSeconds = Number(config.data.SHUTDOWN_TIMEOUT_MS) / 1000;
      expect(shutdownSeconds).toBeGreaterThan(0);
      for (const app of APPS) {
        const spec = one<Workload>(objects, 'Deployment', app.name).spec.template.spec;
        const sleep = preStopSeconds(spec.containers[0]);
        // Long enough for the endpoints controller and the load balancers to drop the pod before SIGTERM.
        expect(sleep).toBeGreaterThanOrEqual(5);
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(sleep + shutdownSeconds + 5);
      }
    });

    it('when a variable is declared in libs/config/src/environment.ts, then the ConfigMap or the Secret sets it', () => {
      const configured = new Set(Object.keys(config.data));
      const secret = find<KubernetesObject & { stringData?: object; data?: object }>(
        objects,
        'Secret',
        SECRET_NAME,
      );
      // The production overlay leaves the Secret to the operator; the base's holds the complete list of keys.
      const secretKeys = Object.keys({
        ...(secret[0] ?? one(renders.base, 'Secret', SECRET_NAME)).stringData,
      });
      const missing = declaredVariables().filter(
        (name) => !configured.has(name) && !secretKeys.includes(name),
      );
      expect(missing).toEqual([]);
      expect(secretKeys.sort()).toEqual([...SECRET_VARIABLES].sort());
      expect(SECRET_VARIABLES.filter((name) => configured.has(name))).toEqual([]);
    });

    it('when a workload reads configuration, then it takes the ConfigMap and the Secret whole', () => {
      for (const { owner, spec } of podSpecs(objects)) {
        for (const container of spec.containers) {
          expect({ owner, envFrom: container.envFrom }).toEqual({
            owner,
            envFrom: [{ configMapRef: { name: config.metadata.name } }, { secretRef: { name: SECRET_NAME } }],
          });
        }
      }
    });

    it('when the migration runs, then a Job runs the prepare-database step with the same image', () => {
      const job = one<Workload>(objects, 'Job', 'onboarding-migrate');
      const [container] = job.spec.template.spec.containers;
      expect(container.command).toEqual(['node', 'dist/libs/database/src/cli/prepare-database.js']);
      const apiImage = one<Workload>(objects, 'Deployment', 'onboarding-api').spec.template.spec.containers[0]
        .image;
      expect(container.image).toBe(apiImage);
    });

    it('when pods are selected, then Services, PodDisruptionBudgets and autoscalers find the right ones', () => {
      for (const app of APPS) {
        const deployment = one<Workload>(objects, 'Deployment', app.name);
        const podLabels = deployment.spec.template.metadata.labels;
        expect(podLabels).toMatchObject(deployment.spec.selector.matchLabels);
        const service = one<
          KubernetesObject & { spec: { selector: object; ports: { targetPort: unknown }[] } }
        >(objects, 'Service', app.name);
        expect(podLabels).toMatchObject(service.spec.selector);
        expect(service.spec.ports.map((port) => port.targetPort)).toEqual(['http']);
        const pdb = one<KubernetesObject & { spec: { selector: { matchLabels: object } } }>(
          objects,
          'PodDisruptionBudget',
          app.name,
        );
        expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
      }
      const hpa = one<KubernetesObject & { spec: { scaleTargetRef: object; metrics: object[] } }>(
        objects,
        'HorizontalPodAutoscaler',
        'onboarding-api',
      );
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'onboarding-api',
      });
      expect(hpa.spec.metrics).toEqual([
        expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
      ]);
      // The API's replica count belongs to its HPA, never to an apply.
      expect(one<Workload>(objects, 'Deployment', 'onboarding-api').spec.replicas).toBeUndefined();
    });
  });

  describe('production', () => {
    const objects = renders.production;

    it('when the overlay is applied, then it never overwrites the real Secret with placeholders', () => {
      expect(find(objects, 'Secret')).toEqual([]);
      expect(new Set(objects.map((object) => object.metadata.namespace))).toEqual(new Set(['onboarding']));
    });

    it("when the README's first step applies everything but the apps, then it brings the Job and what it needs", () => {
      const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
      expect(readme).toContain(`kubectl apply -k deploy/k8s/overlays/production -l '${FIRST_STEP_SELECTOR}'`);
      const firstStep = objects.filter(
        (object) =>
          !['api', 'worker'].includes(object.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
      );
      const job = one<Workload>(firstStep, 'Job', 'onboarding-migrate');
      const jobPod = job.spec.template.spec as PodSpec & { serviceAccountName?: string };
      expect(find(firstStep, 'ServiceAccount', jobPod.serviceAccountName)).toHaveLength(1);
      const configMapName = jobPod.containers[0].envFrom?.[0].configMapRef?.name;
      expect(find(firstStep, 'ConfigMap', configMapName)).toHaveLength(1);
      expect(firstStep.filter((object) => ['Deployment', 'ScaledObject'].includes(object.kind))).toEqual([]);
    });

    it('when images are pulled, then every container names an exact tag', () => {
      for (const { owner, spec } of podSpecs(objects)) {
        for (const container of spec.containers) {
          expect({ owner, image: container.image }).toEqual({
            owner,
            image: expect.stringMatching(/^[a-z0-9.\-/]+:(?!latest$)[A-Za-z0-9._-]+$/),
          });
        }
      }
    });

    it('when KEDA scales the worker, then it watches every work queue and owns the replica count', () => {
      const prefix = configOf(objects).data.RABBITMQ_TOPOLOGY_PREFIX;
      const scaledObject = one<
        KubernetesObject & {
          spec: {
            scaleTargetRef: { name: string };
            minReplicaCount: number;
            triggers: {
              type: string;
              metadata: { queueName: string };
              authenticationRef: { name: string };
            }[];
          };
        }
      >(objects, 'ScaledObject', 'onboarding-worker');
      expect(scaledObject.spec.scaleTargetRef.name).toBe('onboarding-worker');
      expect(scaledObject.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
      const queues = scaledObject.spec.triggers.map((trigger) => trigger.metadata.queueName);
      expect(queues.sort()).toEqual(
        WORK_QUEUES.map((queue) => queue.replace(/^onboarding\./, `${prefix}.`)).sort(),
      );
      for (const trigger of scaledObject.spec.triggers) {
        expect(trigger.type).toBe('rabbitmq');
        const auth = one<KubernetesObject & { spec: { secretTargetRef: object[] } }>(
          objects,
          'TriggerAuthentication',
          trigger.authenticationRef.name,
        );
        expect(auth.spec.secretTargetRef).toEqual([
          { parameter: 'host', name: SECRET_NAME, key: 'RABBITMQ_URL' },
        ]);
      }
      expect(one<Workload>(objects, 'Deployment', 'onboarding-worker').spec.replicas).toBeUndefined();
      expect(
        one<Workload>(renders.base, 'Deployment', 'onboarding-worker').spec.replicas,
      ).toBeGreaterThanOrEqual(2);
    });

    it('when Prometheus scrapes, then the ServiceMonitor selects both Services on their http port at /metrics', () => {
      const monitor = one<
        KubernetesObject & {
          spec: {
            selector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
            endpoints: { port: string; path: string }[];
          };
        }
      >(objects, 'ServiceMonitor', 'onboarding');
      expect(monitor.spec.selector.matchExpressions).toEqual([
        { key: 'app.kubernetes.io/name', operator: 'In', values: APPS.map((app) => app.name) },
      ]);
      expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
      for (const app of APPS) {
        const service = one<KubernetesObject & { spec: { ports: { name: string }[] } }>(
          objects,
          'Service',
          app.name,
        );
        expect(service.metadata.labels?.['app.kubernetes.io/name']).toBe(app.name);
        expect(service.spec.ports.map((port) => port.name)).toContain('http');
      }
    });
  });
});
