// docs/api.yaml is the HTTP contract others read: it must parse strictly (a line-union merge once left it broken
// and nothing noticed), with every $ref resolving and the interop endpoints of issue 11 documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const check = (file) => spawnSync('python3', [join(root, 'scripts/check-api-yaml'), file], { encoding: 'utf8' });

test('docs/api.yaml parses without repeated keys and every $ref resolves', () => {
  const r = check(join(root, 'docs/api.yaml'));
  assert.equal(r.status, 0, r.stderr || r.error?.message);
  const listed = spawnSync('python3', ['-c',
    "import sys, yaml; print('\\n'.join(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))['paths']))",
    join(root, 'docs/api.yaml')], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  const paths = listed.stdout.trim().split('\n');
  for (const path of ['/v1alpha1/comments:analyze', '/v1alpha1/comments:suggestscore',
    '/api/v1/interop/perspective/v1alpha1/comments:analyze', '/api/v1/interop/coral/moderation',
    '/api/v1/interop/coral/webhook']) {
    assert.ok(paths.includes(path), `${path} is documented`);
  }
});

test('the checker refuses what the merge damage looked like', () => {
  const dir = mkdtempSync(join(tmpdir(), 'api-yaml-'));
  const dup = join(dir, 'dup.yaml');
  writeFileSync(dup, 'openapi: 3.1.0\npaths:\n  /a:\n    get: {}\n  /a:\n    post: {}\n');
  assert.equal(check(dup).status, 1);
  const ref = join(dir, 'ref.yaml');
  writeFileSync(ref, "openapi: 3.1.0\npaths:\n  /a:\n    get: {responses: {'200': {$ref: '#/components/responses/Nope'}}}\n");
  assert.equal(check(ref).status, 1);
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'paths:\n  /a:\n    get:\n        description: One page.\n              required: [email]\n');
  assert.equal(check(broken).status, 1);
});
