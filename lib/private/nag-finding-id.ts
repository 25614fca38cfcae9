/**
 * How cdk-nag spells a resolved CloudFormation value inside a finding id such as
 * `AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`, so that an acknowledgement on exactly that finding
 * can be written without importing cdk-nag's internals: strings as they are (with `${` and `}` of
 * `Fn::Sub` turned into `<` and `>`), `Fn::Join` joined, `Ref` as `<Id>`, `Fn::GetAtt` as
 * `<Id.Attribute>`, `Fn::Sub` and `Fn::ImportValue` by their value, anything else as JSON.
 * test/private/nag-finding-id.test.ts checks it against the ids cdk-nag's own rules report.
 */
export function nagFindingSpelling(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (node['Fn::Join']) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(nagFindingSpelling).join(delimiter);
    }
    if (node['Fn::Sub']) return nagFindingSpelling(node['Fn::Sub']);
    if (node['Fn::GetAtt']) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${nagFindingSpelling(resource)}.${nagFindingSpelling(attribute)}>`;
    }
    if (node['Fn::ImportValue']) return nagFindingSpelling(node['Fn::ImportValue']);
    if (node.Ref) return `<${nagFindingSpelling(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/** The id of cdk-nag's AwsSolutions-IAM5 finding for a wildcard in `resolvedResource`. */
export function iam5ResourceFindingId(resolvedResource: unknown): string {
  return `AwsSolutions-IAM5[Resource::${nagFindingSpelling(resolvedResource)}]`;
}
