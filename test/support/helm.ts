import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const CHART_DIR = resolve(import.meta.dirname, '../../helm/rtmp-cluster');
/** helm validates kubeVersion; render for a current cluster. */
export const KUBE_VERSION = '1.30.0';

/** The helm binary: PATH first, then where `go install` puts it (.ci/run installs it there). */
export function helmBinary(): string {
  const candidates = [join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'helm'), '/usr/local/bin/helm'];
  try {
    return execFileSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' }).trim();
  } catch {
    const found = candidates.find((c) => existsSync(c));
    if (!found) throw new Error('helm not found: run `go install helm.sh/helm/v3/cmd/helm@v3.22.0` (.ci/run does)');
    return found;
  }
}

export function helm(args: string[]): string {
  return execFileSync(helmBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

export function renderChart(valuesFiles: string[] = [], set: string[] = [], chartDir = CHART_DIR): K8sObject[] {
  const args = ['template', 'rel', chartDir, '--namespace', 'streaming', '--kube-version', KUBE_VERSION];
  for (const f of valuesFiles) args.push('-f', f);
  for (const s of set) args.push('--set', s);
  const out = helm(args);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/**
 * NOTES.txt as `helm install` would print it. helm template leaves NOTES.txt out, so a copy of the chart gets one
 * more template that includes it into a ConfigMap.
 */
export function renderNotes(set: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'rtmpc-chart-notes-'));
  try {
    cpSync(CHART_DIR, dir, { recursive: true });
    writeFileSync(
      join(dir, 'templates', 'zz-rendered-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: rendered-notes, labels: { app.kubernetes.io/component: notes } }\n' +
        'data:\n  notes: |\n{{ include (print $.Template.BasePath "/NOTES.txt") . | indent 4 }}\n',
    );
    const cm = renderChart([], set, dir).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'rendered-notes');
    if (!cm?.data?.notes) throw new Error('NOTES.txt did not render');
    return cm.data.notes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
