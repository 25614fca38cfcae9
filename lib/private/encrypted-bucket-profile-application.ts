import { type IConstruct } from 'constructs';
import { throwIfProblems } from './construct-prop-error';
import type { EncryptedBucketProps } from '../encrypted-bucket';

/**
 * Applies `props.profile`: throws a ConstructPropError at `scope` for a prop that breaks the
 * profile, otherwise returns the profile's values overridden by the explicit props.
 */
export function applyEncryptedBucketProfile(scope: IConstruct, props: EncryptedBucketProps): EncryptedBucketProps {
  const profile = props.profile;
  if (profile === undefined) return props;
  throwIfProblems(scope, profile._conflicts(props));
  return profile._merge(props);
}
