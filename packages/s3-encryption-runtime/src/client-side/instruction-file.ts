import { INSTRUCTION_FILE_SUFFIX } from './metadata/metadata-keys';

/**
 * Key of the instruction file of `objectKey`: `<key>.instruction`. Writers must use the default
 * suffix; a custom suffix is for reading instruction files written by key rotation
 * (the Java client's ReEncryptInstructionFile).
 */
export function instructionFileKey(objectKey: string, suffix: string = INSTRUCTION_FILE_SUFFIX): string {
  return objectKey + suffix;
}
