import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildIfStale, mustRun, ROOT } from './support/consumer-sandbox';

/**
 * The Python, Java, .NET and Go bindings of the construct package, generated as CI can: `jsii-pacmak
 * --code-only` from the `.jsii` assembly that `npm run build` (jsii, warnings as errors) writes. No pip,
 * Maven, dotnet or go toolchain is needed for that, and none is used; building wheels, jars, NuGet or Go
 * modules needs registries this machine cannot reach.
 *
 * What the test holds the bindings to is read from the assembly and package.json (class names, doc
 * summaries, props, the targets' package names), not written here again.
 */

type Json = any;

jest.setTimeout(300_000);

const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TARGETS = MANIFEST.jsii.targets;
/** The three L3 constructs. */
const L3_CONSTRUCTS = ['EncryptedBucket', 'ReplicatedEncryptedBucket', 'KmsKeyWithRotation'];
/** Helpers that are private on purpose: no binding may expose them. */
const PRIVATE_HELPERS = ['ConstructPropError', 'throwIfProblems', 'denyInsecureTransportStatement', 'validateReplicationSettings', 'ACCESS_LEVELS', 'REPLICATION_SIDS'];
const SILENCE_NODE_20 = { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };

let outdir: string;
let assembly: Json;
let python: { classes: Record<string, { doc: string; keywordArguments: string[]; bases: string[] }>; topLevelNames: string[] };

/** `camelCase` as jsii spells it in Python: `snake_case`. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Documentation text without the code markup each language adds (`x`, ``x``, <code>x</code>), whitespace collapsed. */
function plain(doc: string): string {
  return doc.replace(/<\/?code>|`/g, '').replace(/\s+/g, ' ').trim();
}

function type(name: string): Json {
  const found = assembly.types[`${assembly.name}.${name}`];
  if (!found) throw new Error(`${name} is not in the assembly`);
  return found;
}

/** Every property of a struct, its parents' included. */
function structProperties(fqn: string): string[] {
  const struct = assembly.types[fqn];
  if (!struct) return []; // a parent from another assembly (none of ours has one)
  return [...(struct.properties ?? []).map((p: Json) => p.name), ...(struct.interfaces ?? []).flatMap(structProperties)];
}

function read(...segments: string[]): string {
  return fs.readFileSync(path.join(outdir, ...segments), 'utf8');
}

/**
 * A Python module as Python itself parses it: its top-level classes (docstring, keyword-only arguments of
 * `__init__`, bases) and every name it defines at top level.
 */
async function pythonModule(file: string): Promise<typeof python> {
  const script = [
    'import ast, json, sys',
    'tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())',
    'classes, names = {}, []',
    'for node in tree.body:',
    '    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):',
    '        names.append(node.name)',
    '    if isinstance(node, ast.Assign):',
    '        names.extend(t.id for t in node.targets if isinstance(t, ast.Name))',
    '    if isinstance(node, ast.ClassDef):',
    '        init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)',
    '        classes[node.name] = {"doc": ast.get_docstring(node) or "", "keywordArguments": [a.arg for a in init.args.kwonlyargs] if init else [], "bases": [ast.unparse(b) for b in node.bases]}',
    'print(json.dumps({"classes": classes, "topLevelNames": names}))',
  ].join('\n');
  const result = await mustRun('python3', ['-c', script, file], { cwd: outdir, env: process.env });
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  await buildIfStale();
  assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 's3ec-bindings-'));
  const started = Date.now();
  // pacmak packs the package with `npm pack`: the build already ran, so its lifecycle scripts must not run again.
  await mustRun('npx', ['jsii-pacmak', '--code-only', '--outdir', outdir], {
    cwd: ROOT, env: { ...process.env, ...SILENCE_NODE_20, npm_config_ignore_scripts: 'true' }, timeoutMs: 280_000,
  });
  const types = Object.values<Json>(assembly.types);
  console.log(`jsii-pacmak --code-only (python, java, dotnet, go) in ${((Date.now() - started) / 1000).toFixed(1)} s; the assembly has ${types.length} types `
    + `(${types.filter((t) => t.kind === 'class').length} classes, ${types.filter((t) => t.datatype).length} structs, ${types.filter((t) => t.kind === 'interface' && !t.datatype).length} behavioural interfaces, ${types.filter((t) => t.kind === 'enum').length} enums)`);
  python = await pythonModule(path.join(outdir, 'python', 'src', TARGETS.python.module, '__init__.py'));
}, 300_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

test('the assembly holds exactly what the package exports: every export a class jsii kept, no free function or constant', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built package, as Node consumers load it
  const exported = require(path.join(ROOT, MANIFEST.main)) as Record<string, unknown>;
  const notClasses = Object.entries(exported).filter(([, value]) => typeof value !== 'function' || !/^class\b/.test(Function.prototype.toString.call(value)));
  expect(notClasses.map(([name]) => name)).toEqual([]);
  const classes = Object.values<Json>(assembly.types).filter((t) => t.kind === 'class').map((t) => t.name).sort();
  expect(Object.keys(exported).sort()).toEqual(classes);
  expect(Object.values<Json>(assembly.types).map((t) => t.name)).toEqual(expect.not.arrayContaining(PRIVATE_HELPERS));
});

test.each(L3_CONSTRUCTS)('Python: %s, with its documentation and its props as keyword arguments', (name) => {
  const cls = python.classes[name];
  expect(cls).toBeDefined();
  const docs = type(name).docs;
  expect(docs.summary.length).toBeGreaterThan(40);
  expect(plain(cls.doc)).toContain(plain(`(experimental) ${docs.summary}`));
  const initializer = type(name).initializer;
  const propsParameter = initializer.parameters.find((p: Json) => p.name === 'props');
  const props = structProperties(propsParameter.type.fqn);
  expect(props.length).toBeGreaterThan(3);
  expect([...cls.keywordArguments].sort()).toEqual(props.map(snake).sort());
});

test('Python: the props structs, enum-like classes and the guardrails are there too, and no private helper is', () => {
  for (const name of ['EncryptedBucketProps', 'ReplicationRuleOptions', 'ReplicaTarget', 'BucketEncryptionMode', 'EncryptedBucketProfile', 'S3EncryptionChecks', 'EncryptionGuardrails', 'S3EncryptionErrors']) {
    expect(python.classes[name]).toBeDefined();
  }
  expect(python.topLevelNames.length).toBeGreaterThan(40);
  expect(python.topLevelNames).toEqual(expect.not.arrayContaining([...PRIVATE_HELPERS, ...PRIVATE_HELPERS.map(snake)]));
  expect(python.classes.S3EncryptionChecks.bases).toEqual([expect.stringMatching(/^_cdk_nag_[0-9a-f]+\.NagPack$/)]);
});

test('Python embeds the compiled package with its pre-bundled Lambda handlers, so the rotation constructs synthesize without esbuild or Docker', async () => {
  const jsiiDir = path.join(outdir, 'python', 'src', TARGETS.python.module, '_jsii');
  const tarball = fs.readdirSync(jsiiDir).find((f) => f.endsWith('.jsii.tgz'));
  expect(tarball).toBe(`${assembly.name}@${assembly.version}.jsii.tgz`);
  const files = (await mustRun('tar', ['-tzf', path.join(jsiiDir, tarball!)], { cwd: outdir, env: process.env })).stdout.trim().split('\n');
  expect(files).toEqual(expect.arrayContaining([
    'package/.jsii', `package/${MANIFEST.main}`, 'package/assets/handlers/sse-c-rekey/index.js', 'package/assets/handlers/client-side-key-rotation/index.js',
  ]));
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test.each(L3_CONSTRUCTS)('Java, .NET and Go: %s, with its documentation', (name) => {
  const summaryStart = plain(type(name).docs.summary).slice(0, 60);
  const javaPackage = TARGETS.java.package as string;
  const java = read('java', 'src', 'main', 'java', ...javaPackage.split('.'), `${name}.java`);
  expect(java).toContain(`package ${javaPackage};`);
  expect(java).toMatch(new RegExp(`^public class ${name} extends `, 'm'));
  expect(plain(java)).toContain(summaryStart);

  const namespace = TARGETS.dotnet.namespace as string;
  const csharp = read('dotnet', TARGETS.dotnet.packageId, namespace, `${name}.cs`);
  expect(csharp).toContain(`namespace ${namespace}`);
  expect(csharp).toMatch(new RegExp(`public class ${name} : `));
  expect(plain(csharp)).toContain(summaryStart);

  const goPackage = fs.readdirSync(path.join(outdir, 'go'))[0];
  expect(read('go', goPackage, 'go.mod')).toMatch(new RegExp(`^module ${(TARGETS.go.moduleName as string).replace(/\./g, '\\.')}/${goPackage}$`, 'm'));
  const go = read('go', goPackage, `${name}.go`);
  expect(go).toMatch(new RegExp(`^type ${name} interface \\{`, 'm'));
  expect(go).toMatch(new RegExp(`^func New${name}\\(scope constructs\\.Construct, id \\*string, props \\*${name}Props\\) ${name} \\{`, 'm'));
  expect(plain(go.replace(/^\s*\/\/ ?/gm, ' '))).toContain(summaryStart);
});
