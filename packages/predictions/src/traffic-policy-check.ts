/**
 * Checks a `PUT .../traffic` body against a model's versions and turns it into the stored form
 * (version strings, lower-case header names). Pure: the caller says which versions exist and
 * which can serve now. Everything is checked before anything is written, so a refused policy
 * changes nothing.
 */
import { InferqError, trafficPolicyBodyValidator, type TrafficPolicy, type TrafficPolicyBody, type TrafficPolicySpec } from '@inferq/contract';

/** What the check knows of the model. */
export interface VersionFacts {
  /** The model's versions (any state). */
  versions: readonly string[];
  /** True when `version` can serve now (READY). */
  isRoutable(version: string): boolean;
}

/**
 * The stored form of `body`, or an `InferqError`: `INVALID_TRAFFIC_POLICY` (400, naming the
 * field) for a malformed body, an unknown or repeated version or weights that do not sum to 100;
 * `VERSION_NOT_READY` (409) for traffic sent to a version that cannot serve.
 */
export function checkTrafficPolicy(model: string, body: unknown, facts: VersionFacts): TrafficPolicySpec & { reason?: string } {
  const problem = trafficPolicyBodyValidator.explain(body);
  if (problem) throw invalid(problem.message);
  const policy = body as TrafficPolicyBody;
  const known = new Set(facts.versions);
  const version = (value: number | string, field: string, carriesTraffic: boolean): string => {
    const name = String(Number(value));
    if (!known.has(name)) throw invalid(`${field}: model "${model}" has no version "${name}" (versions: ${facts.versions.join(', ')})`);
    if (carriesTraffic && !facts.isRoutable(name)) throw new InferqError('VERSION_NOT_READY', `${field}: version "${name}" of model "${model}" is not ready to serve; load it first`);
    return name;
  };

  const routes = policy.routes.map((route, i) => ({ version: version(route.version, `routes[${i}].version`, route.weight > 0), weight: route.weight }));
  const seen = new Set<string>();
  routes.forEach((route, i) => {
    if (seen.has(route.version)) throw invalid(`routes[${i}].version: version "${route.version}" is listed twice`);
    seen.add(route.version);
  });
  const total = routes.reduce((sum, route) => sum + route.weight, 0);
  if (routes.length > 0 && total !== 100) throw invalid(`routes: weights must sum to 100, got ${total}`);

  const rules: TrafficPolicy['rules'] = (policy.rules ?? []).map((rule, i) => {
    const when: TrafficPolicy['rules'][number]['when'] = {};
    if (rule.when.header) {
      when.header = {};
      for (const [name, value] of Object.entries(rule.when.header)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw invalid(`rules[${i}].when.header: "${name.slice(0, 64)}" is not a header name`);
        when.header[name.toLowerCase()] = value;
      }
    }
    if (rule.when.parameter) when.parameter = { ...rule.when.parameter };
    return { when, version: version(rule.version, `rules[${i}].version`, true) };
  });

  let shadow: TrafficPolicy['shadow'] = null;
  if (policy.shadow) {
    const name = version(policy.shadow.version, 'shadow.version', policy.shadow.percent > 0);
    const served = routes.filter((route) => route.weight > 0);
    if (served.length === 1 && served[0]!.version === name && rules.every((rule) => rule.version === name)) {
      throw invalid(`shadow.version: version "${name}" is the only one serving; a shadow must differ from the primary`);
    }
    shadow = { version: name, percent: policy.shadow.percent };
  }

  const spec: TrafficPolicySpec & { reason?: string } = { routes, sticky: policy.sticky ?? false, rules, shadow };
  if (policy.reason !== undefined) spec.reason = policy.reason;
  return spec;
}

function invalid(message: string): InferqError {
  return new InferqError('INVALID_TRAFFIC_POLICY', message);
}
