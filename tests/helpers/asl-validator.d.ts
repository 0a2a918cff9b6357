// asl-validator 4 ships no type declarations; this is the part the tests use.
declare module 'asl-validator' {
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  interface AslValidatorResult {
    isValid: boolean;
    errors: unknown[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): AslValidatorResult;
}
