import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlUse {
  /** Metric names of every vector selector. */
  metrics: string[];
  /** metric name -> label names its selectors match on. */
  matchers: Map<string, Set<string>>;
  /** Syntax errors (empty when the expression parses). */
  errors: string[];
}

/** Grafana's template variables, replaced by values a real query would carry. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range|\$\{__rate_interval\}|\$\{__interval\}/g, '5m')
    .replace(/\$\{?service\}?/g, '.+')
    .replace(/\$\{?project\}?/g, '.+');
}

/** Parses a PromQL expression with Prometheus' own lezer grammar. */
export function analysePromql(expr: string): PromqlUse {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  const matchers = new Map<string, Set<string>>();
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      }
      if (node.name === 'VectorSelector') {
        const text = expr.slice(node.from, node.to);
        const name = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(text)?.[1] ?? /__name__\s*=\s*"([^"]+)"/.exec(text)?.[1];
        if (!name) {
          errors.push(`selector without a metric name: ${text}`);
          return;
        }
        metrics.push(name);
        const labels = matchers.get(name) ?? new Set<string>();
        const braces = /\{([^}]*)\}/.exec(text)?.[1] ?? '';
        for (const m of braces.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.add(m[1] ?? '');
        matchers.set(name, labels);
      }
    },
  });
  return { metrics, matchers, errors };
}
