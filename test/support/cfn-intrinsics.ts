/**
 * Resolves the CloudFormation intrinsics in a synthesized template to fake but consistent
 * physical values, so that policies can be handed to a real IAM evaluation engine.
 * Anything it cannot resolve faithfully (Fn::If, Fn::ImportValue, ...) throws: a test must
 * never evaluate a half-resolved policy.
 */

/** The fake environment the template is resolved in. */
export interface FakeEnv {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

/** Fake physical ids (`Ref`) and attributes (`Fn::GetAtt`) per logical id. */
export interface FakeAttributes {
  readonly refs: Record<string, string>;
  readonly atts: Record<string, Record<string, string>>;
}

type Json = any;  

/** Give every resource of `template` a fake physical id and attributes, by resource type. */
export function fakeAttributes(template: Json, env: FakeEnv): FakeAttributes {
  const partition = env.partition ?? 'aws';
  const refs: Record<string, string> = {};
  const atts: Record<string, Record<string, string>> = {};
  for (const [id, resource] of Object.entries<Json>(template.Resources ?? {})) {
    const lower = id.toLowerCase();
    const props = resource.Properties ?? {};
    const { account, region } = env;
    switch (resource.Type) {
      case 'AWS::S3::Bucket': {
        const name = typeof props.BucketName === 'string' ? props.BucketName : `${lower}-bucket`;
        refs[id] = name;
        atts[id] = { Arn: `arn:${partition}:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${region}.amazonaws.com` };
        break;
      }
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey': {
        const keyId = fakeUuid(lower);
        refs[id] = keyId;
        atts[id] = { Arn: `arn:${partition}:kms:${region}:${account}:key/${keyId}`, KeyId: keyId };
        break;
      }
      case 'AWS::IAM::Role': {
        const name = typeof props.RoleName === 'string' ? props.RoleName : `${lower}-role`;
        refs[id] = name;
        atts[id] = { Arn: `arn:${partition}:iam::${account}:role/${name}`, RoleId: `AROA${fakeUuid(lower).replace(/-/g, '').slice(0, 17).toUpperCase()}` };
        break;
      }
      case 'AWS::IAM::ManagedPolicy':
        refs[id] = `arn:${partition}:iam::${account}:policy/${lower}-policy`;
        atts[id] = { PolicyArn: refs[id] };
        break;
      case 'AWS::Lambda::Function':
        refs[id] = `${lower}-function`;
        atts[id] = { Arn: `arn:${partition}:lambda:${region}:${account}:function:${lower}-function` };
        break;
      case 'AWS::Logs::LogGroup': {
        const name = typeof props.LogGroupName === 'string' ? props.LogGroupName : `${lower}-log-group`;
        refs[id] = name;
        atts[id] = { Arn: `arn:${partition}:logs:${region}:${account}:log-group:${name}:*` };
        break;
      }
      case 'AWS::SNS::Topic': {
        const name = typeof props.TopicName === 'string' ? props.TopicName : `${lower}-topic`;
        refs[id] = `arn:${partition}:sns:${region}:${account}:${name}`;
        atts[id] = { TopicArn: refs[id], TopicName: name };
        break;
      }
      case 'AWS::SecretsManager::Secret':
        refs[id] = `arn:${partition}:secretsmanager:${region}:${account}:secret:${lower}-AbCdEf`;
        atts[id] = { Id: refs[id] };
        break;
      case 'AWS::CloudFront::Distribution': {
        const distributionId = `E${fakeUuid(lower).replace(/-/g, '').slice(-13).toUpperCase()}`;
        refs[id] = distributionId;
        atts[id] = { Id: distributionId, DomainName: `${distributionId.toLowerCase()}.cloudfront.net` };
        break;
      }
      case 'AWS::CloudFront::CloudFrontOriginAccessIdentity': {
        const oaiId = `E${fakeUuid(lower).replace(/-/g, '').slice(-13).toUpperCase()}`;
        refs[id] = oaiId;
        atts[id] = { Id: oaiId, S3CanonicalUserId: Buffer.from(lower).toString('hex').padEnd(64, '0').slice(0, 64) };
        break;
      }
      default:
        refs[id] = `${lower}-ref`;
        atts[id] = {};
    }
  }
  return { refs, atts };
}

/** Resolve every intrinsic in `value` against `template`'s fake attributes. */
export function resolveIntrinsics(value: Json, env: FakeEnv, fakes: FakeAttributes): Json {
  const pseudo: Record<string, string | undefined> = {
    'AWS::AccountId': env.account,
    'AWS::Region': env.region,
    'AWS::Partition': env.partition ?? 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'TestStack',
    'AWS::NoValue': undefined,
  };
  const resolve = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== undefined);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = v[fn];
      switch (fn) {
        case 'Ref':
          if (arg in pseudo) return pseudo[arg];
          if (arg in fakes.refs) return fakes.refs[arg];
          throw new Error(`Unresolvable Ref ${arg}`);
        case 'Fn::GetAtt': {
          const [id, att] = Array.isArray(arg) ? arg : String(arg).split('.');
          const val = fakes.atts[id]?.[att];
          if (val === undefined) throw new Error(`Unresolvable Fn::GetAtt ${id}.${att}`);
          return val;
        }
        case 'Fn::Join': return (resolve(arg[1]) as Json[]).join(arg[0]);
        case 'Fn::Select': return resolve(arg[1])[Number(resolve(arg[0]))];
        case 'Fn::Split': return String(resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
          return String(text).replace(/\$\{([^}!]+)\}/g, (_: string, name: string) =>
            vars[name] !== undefined ? resolve(vars[name])
              : name.includes('.') ? resolve({ 'Fn::GetAtt': name.split('.') }) : resolve({ Ref: name }));
        }
        default:
          if (fn.startsWith('Fn::')) throw new Error(`Unsupported intrinsic ${fn} in a policy under test`);
      }
    }
    return Object.fromEntries(Object.entries(v).map(([k, vv]) => [k, resolve(vv)]));
  };
  return resolve(value);
}

function fakeUuid(seed: string): string {
  const hex = Buffer.from(seed).toString('hex').padEnd(32, '0').slice(-32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
