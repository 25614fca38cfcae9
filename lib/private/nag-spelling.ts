/**
 * How cdk-nag spells a resolved CloudFormation value in a finding id (`AwsSolutions-IAM5[Resource::...]`):
 * `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attribute>`, `Fn::Join` joined, `${x}` as `<x>`. An
 * acknowledgement must match it exactly. Written here because cdk-nag exports it only from a private path.
 */
export function nagSpelling(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(nagSpelling).join(delimiter);
    }
    if ('Fn::Sub' in node) return nagSpelling(node['Fn::Sub']);
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${nagSpelling(resource)}.${nagSpelling(attribute)}>`;
    }
    if ('Fn::ImportValue' in node) return nagSpelling(node['Fn::ImportValue']);
    if ('Ref' in node) return `<${nagSpelling(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
