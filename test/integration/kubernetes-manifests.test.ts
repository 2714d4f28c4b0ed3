/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML manifests are untyped by nature; the kubernetes-models schemas are what checks them. */
/**
 * Offline checks of deploy/kubernetes: every manifest validates against the Kubernetes and KEDA
 * JSON schemas (kubernetes-models, @kubernetes-models/keda), and the parts that must agree with
 * each other and with the code do: kustomization resources, selectors, ports, commands, the
 * environment variables the apps read, and the metric the ScaledObject scales on.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'deploy/kubernetes');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Manifest { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> }
interface Validatable { validate(): void }
type ModelClass = new (data: any) => Validatable;

/** The schema-backed model of each kind we ship. */
const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': core.Namespace,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Service': core.Service,
  'apps/v1/Deployment': apps.Deployment,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'keda.sh/v1alpha1/ScaledObject': keda.ScaledObject,
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const manifests: Array<Manifest & { file: string }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
    return { ...(doc.toJS() as Manifest), file };
  }));
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')];

/** Every variable the apps read (their config.ts, and the shared settings in @inferq/env). */
const knownVariables = new Set(
  ['apps/api/src/config.ts', 'apps/worker/src/config.ts', 'apps/monitor/src/config.ts', 'packages/env/src/shared-settings.ts', 'packages/env/src/redis-sentinel.ts']
    .flatMap((path) => [...read(path).matchAll(/read\w+\(env, '([A-Z_]+)'/g)].map((m) => m[1]!)),
);

describe('deploy/kubernetes', () => {
  it('validates every manifest against the Kubernetes and KEDA schemas', () => {
    assert.ok(manifests.length >= 8, `found ${manifests.length} manifests`);
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      assert.ok(Model, `${m.file}: no schema for ${m.apiVersion} ${m.kind}; add it to MODELS`);
      assert.doesNotThrow(() => new Model(m).validate(), `${m.file}: ${m.kind} ${m.metadata?.name}`);
    }
  });

  it('the schema check catches a broken manifest (the validation is real)', () => {
    const worker = structuredClone(workloads.find((w) => w.metadata.name === 'inferq-worker')!);
    worker.spec.template.spec.terminationGracePeriodSeconds = 'forty';
    assert.throws(() => new apps.Deployment(worker).validate(), /terminationGracePeriodSeconds/);
    const scaled = structuredClone(byKind('ScaledObject')[0]!);
    delete scaled.spec.scaleTargetRef;
    assert.throws(() => new keda.ScaledObject(scaled as any).validate(), /scaleTargetRef/);
  });

  it('kustomization.yaml lists exactly the manifests in the directory', () => {
    const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[]; namespace?: string };
    assert.deepEqual([...kustomization.resources].sort(), files);
    const namespaces = byKind('Namespace').map((n) => n.metadata.name);
    assert.deepEqual(namespaces, [kustomization.namespace], 'the namespace is created and used');
  });

  it('selectors match their pod templates, and Services select a workload and name its ports', () => {
    for (const w of workloads) {
      const labels = w.spec.template.metadata.labels as Record<string, string>;
      for (const [k, v] of Object.entries(w.spec.selector.matchLabels as Record<string, string>)) assert.equal(labels[k], v, `${w.metadata.name} selector ${k}`);
    }
    for (const s of byKind('Service')) {
      const target = workloads.find((w) => Object.entries(s.spec.selector as Record<string, string>).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
      assert.ok(target, `Service ${s.metadata.name} selects no workload`);
      const portNames = target.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name));
      for (const p of s.spec.ports) assert.ok(typeof p.targetPort !== 'string' || portNames.includes(p.targetPort), `Service ${s.metadata.name} targetPort ${p.targetPort}`);
    }
  });

  it('inferq containers run an entry point that exists, as non-root, with only variables the apps read', () => {
    const config = byKind('ConfigMap').find((c) => c.metadata.name === 'inferq-config')!;
    for (const name of Object.keys(config.data ?? {})) assert.ok(knownVariables.has(name), `ConfigMap sets ${name}, which no app reads`);
    for (const w of workloads) {
      const pod = w.spec.template.spec;
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${w.metadata.name} runs as non-root`);
      for (const c of pod.containers) {
        if (c.image !== 'inferq') continue;
        const entry = (c.command as string[]).find((arg) => arg.endsWith('.ts'));
        assert.ok(entry && existsSync(join(ROOT, entry)), `${w.metadata.name}: ${entry} exists`);
        for (const e of c.env ?? []) assert.ok(knownVariables.has(e.name), `${w.metadata.name} sets ${e.name}, which no app reads`);
        assert.deepEqual(c.envFrom, [{ configMapRef: { name: 'inferq-config' } }], `${w.metadata.name} reads the shared config`);
      }
    }
  });

  it('the ScaledObject scales the worker Deployment from zero on a metric the API exports', () => {
    const [scaled, ...others] = byKind('ScaledObject');
    assert.ok(scaled && others.length === 0);
    const target = byKind('Deployment').find((d) => d.metadata.name === scaled.spec.scaleTargetRef.name);
    assert.ok(target, 'scaleTargetRef names a Deployment');
    assert.equal(target.spec.replicas, undefined, 'KEDA owns the worker count: no replicas in the Deployment');
    assert.equal(scaled.spec.minReplicaCount, 0, 'scales to zero');
    const trigger = scaled.spec.triggers[0];
    assert.equal(trigger.type, 'prometheus');
    assert.equal(trigger.metricType, 'AverageValue', 'a target per worker');
    assert.ok(Number(trigger.metadata.threshold) > 0);
    assert.equal(trigger.metadata.activationThreshold, '0', 'one waiting prediction wakes a worker');
    const metric = /inferq_[a-z_]+/.exec(trigger.metadata.query)?.[0];
    assert.equal(metric, 'inferq_predictions_waiting');
    assert.match(read('apps/api/src/metrics.ts'), new RegExp(`name: '${metric}'`), 'the API exports it');
    const namespace = (parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { namespace: string }).namespace;
    assert.match(trigger.metadata.query, new RegExp(`namespace="${namespace}"`), 'the query selects the namespace kustomize deploys to');
    // The grace period must cover the worker's graceful shutdown, or scale-down cuts batches short.
    const worker = target.spec.template.spec;
    const shutdownMs = Number(worker.containers[0].env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_MS').value);
    assert.ok(worker.terminationGracePeriodSeconds * 1000 > shutdownMs);
  });
});
