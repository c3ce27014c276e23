/**
 * Type declarations for the parts of `@secvisogram/csaf-validator-lib` 2.0 (MIT) that Accord imports. The package is
 * plain JavaScript used through deep imports and ships no declarations; these follow its README ("API").
 */
declare module '@secvisogram/csaf-validator-lib/lib/shared/types.js' {
  export interface CsafMessage {
    message: string;
    instancePath: string;
  }
  export interface CsafTestResult {
    isValid?: boolean;
    errors?: CsafMessage[];
    warnings?: CsafMessage[];
    infos?: CsafMessage[];
  }
  /** A document test; its identifier is the function's `name` (e.g. `mandatoryTest_6_1_27_3`). */
  export type DocumentTest = (doc: unknown) => CsafTestResult | Promise<CsafTestResult>;
}

declare module '@secvisogram/csaf-validator-lib/schemaTests.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  export const csaf_2_0: DocumentTest;
  export const csaf_2_0_strict: DocumentTest;
}

declare module '@secvisogram/csaf-validator-lib/mandatoryTests.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  export const mandatoryTest_6_1_1: DocumentTest;
  export const mandatoryTest_6_1_2: DocumentTest;
  export const mandatoryTest_6_1_3: DocumentTest;
  export const mandatoryTest_6_1_4: DocumentTest;
  export const mandatoryTest_6_1_5: DocumentTest;
  export const mandatoryTest_6_1_6: DocumentTest;
  export const mandatoryTest_6_1_7: DocumentTest;
  export const mandatoryTest_6_1_8: DocumentTest;
  export const mandatoryTest_6_1_9: DocumentTest;
  export const mandatoryTest_6_1_10: DocumentTest;
  export const mandatoryTest_6_1_11: DocumentTest;
  export const mandatoryTest_6_1_12: DocumentTest;
  export const mandatoryTest_6_1_13: DocumentTest;
  export const mandatoryTest_6_1_14: DocumentTest;
  export const mandatoryTest_6_1_15: DocumentTest;
  export const mandatoryTest_6_1_16: DocumentTest;
  export const mandatoryTest_6_1_17: DocumentTest;
  export const mandatoryTest_6_1_18: DocumentTest;
  export const mandatoryTest_6_1_19: DocumentTest;
  export const mandatoryTest_6_1_20: DocumentTest;
  export const mandatoryTest_6_1_21: DocumentTest;
  export const mandatoryTest_6_1_22: DocumentTest;
  export const mandatoryTest_6_1_23: DocumentTest;
  export const mandatoryTest_6_1_24: DocumentTest;
  export const mandatoryTest_6_1_25: DocumentTest;
  export const mandatoryTest_6_1_26: DocumentTest;
  export const mandatoryTest_6_1_27_1: DocumentTest;
  export const mandatoryTest_6_1_27_2: DocumentTest;
  export const mandatoryTest_6_1_27_3: DocumentTest;
  export const mandatoryTest_6_1_27_4: DocumentTest;
  export const mandatoryTest_6_1_27_5: DocumentTest;
  export const mandatoryTest_6_1_27_6: DocumentTest;
  export const mandatoryTest_6_1_27_7: DocumentTest;
  export const mandatoryTest_6_1_27_8: DocumentTest;
  export const mandatoryTest_6_1_27_9: DocumentTest;
  export const mandatoryTest_6_1_27_10: DocumentTest;
  export const mandatoryTest_6_1_27_11: DocumentTest;
  export const mandatoryTest_6_1_28: DocumentTest;
  export const mandatoryTest_6_1_29: DocumentTest;
  export const mandatoryTest_6_1_30: DocumentTest;
  export const mandatoryTest_6_1_31: DocumentTest;
  export const mandatoryTest_6_1_32: DocumentTest;
  export const mandatoryTest_6_1_33: DocumentTest;
}

declare module '@secvisogram/csaf-validator-lib/optionalTests.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  export const optionalTest_6_2_1: DocumentTest;
  export const optionalTest_6_2_2: DocumentTest;
  export const optionalTest_6_2_3: DocumentTest;
  export const optionalTest_6_2_4: DocumentTest;
  export const optionalTest_6_2_5: DocumentTest;
  export const optionalTest_6_2_6: DocumentTest;
  export const optionalTest_6_2_7: DocumentTest;
  export const optionalTest_6_2_8: DocumentTest;
  export const optionalTest_6_2_9: DocumentTest;
  export const optionalTest_6_2_10: DocumentTest;
  export const optionalTest_6_2_11: DocumentTest;
  export const optionalTest_6_2_12: DocumentTest;
  export const optionalTest_6_2_13: DocumentTest;
  export const optionalTest_6_2_14: DocumentTest;
  export const optionalTest_6_2_15: DocumentTest;
  export const optionalTest_6_2_16: DocumentTest;
  export const optionalTest_6_2_17: DocumentTest;
  export const optionalTest_6_2_18: DocumentTest;
  export const optionalTest_6_2_19: DocumentTest;
  export const optionalTest_6_2_20: DocumentTest;
}

declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_1.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_2.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_3.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_4.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_5.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_9.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_10.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
declare module '@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_11.js' {
  import type { DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
  const test: DocumentTest;
  export default test;
}
