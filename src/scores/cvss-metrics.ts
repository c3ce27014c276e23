/**
 * CVSS metric tables: every metric of CVSS 3.0/3.1 (specification table 15) and 4.0 (specification section 7), in
 * the order FIRST lists them, which is also the order of a normalized vector. Values are listed as the
 * specifications do; `X` (Not Defined) is allowed for every metric outside the base group.
 */

export type CvssVersion = '3.0' | '3.1' | '4.0';
export type CvssMetricGroup = 'base' | 'temporal' | 'threat' | 'environmental' | 'supplemental';

export interface CvssMetricDefinition {
  readonly key: string;
  readonly name: string;
  readonly group: CvssMetricGroup;
  readonly values: readonly string[];
}

const m = (key: string, name: string, group: CvssMetricGroup, values: string): CvssMetricDefinition => ({
  key,
  name,
  group,
  values: values.split(' '),
});

const CVSS3: readonly CvssMetricDefinition[] = [
  m('AV', 'Attack Vector', 'base', 'N A L P'),
  m('AC', 'Attack Complexity', 'base', 'L H'),
  m('PR', 'Privileges Required', 'base', 'N L H'),
  m('UI', 'User Interaction', 'base', 'N R'),
  m('S', 'Scope', 'base', 'U C'),
  m('C', 'Confidentiality', 'base', 'H L N'),
  m('I', 'Integrity', 'base', 'H L N'),
  m('A', 'Availability', 'base', 'H L N'),
  m('E', 'Exploit Code Maturity', 'temporal', 'X H F P U'),
  m('RL', 'Remediation Level', 'temporal', 'X U W T O'),
  m('RC', 'Report Confidence', 'temporal', 'X C R U'),
  m('CR', 'Confidentiality Requirement', 'environmental', 'X H M L'),
  m('IR', 'Integrity Requirement', 'environmental', 'X H M L'),
  m('AR', 'Availability Requirement', 'environmental', 'X H M L'),
  m('MAV', 'Modified Attack Vector', 'environmental', 'X N A L P'),
  m('MAC', 'Modified Attack Complexity', 'environmental', 'X L H'),
  m('MPR', 'Modified Privileges Required', 'environmental', 'X N L H'),
  m('MUI', 'Modified User Interaction', 'environmental', 'X N R'),
  m('MS', 'Modified Scope', 'environmental', 'X U C'),
  m('MC', 'Modified Confidentiality', 'environmental', 'X H L N'),
  m('MI', 'Modified Integrity', 'environmental', 'X H L N'),
  m('MA', 'Modified Availability', 'environmental', 'X H L N'),
];

const CVSS4: readonly CvssMetricDefinition[] = [
  m('AV', 'Attack Vector', 'base', 'N A L P'),
  m('AC', 'Attack Complexity', 'base', 'L H'),
  m('AT', 'Attack Requirements', 'base', 'N P'),
  m('PR', 'Privileges Required', 'base', 'N L H'),
  m('UI', 'User Interaction', 'base', 'N P A'),
  m('VC', 'Vulnerable System Confidentiality', 'base', 'H L N'),
  m('VI', 'Vulnerable System Integrity', 'base', 'H L N'),
  m('VA', 'Vulnerable System Availability', 'base', 'H L N'),
  m('SC', 'Subsequent System Confidentiality', 'base', 'H L N'),
  m('SI', 'Subsequent System Integrity', 'base', 'H L N'),
  m('SA', 'Subsequent System Availability', 'base', 'H L N'),
  m('E', 'Exploit Maturity', 'threat', 'X A P U'),
  m('CR', 'Confidentiality Requirements', 'environmental', 'X H M L'),
  m('IR', 'Integrity Requirements', 'environmental', 'X H M L'),
  m('AR', 'Availability Requirements', 'environmental', 'X H M L'),
  m('MAV', 'Modified Attack Vector', 'environmental', 'X N A L P'),
  m('MAC', 'Modified Attack Complexity', 'environmental', 'X L H'),
  m('MAT', 'Modified Attack Requirements', 'environmental', 'X N P'),
  m('MPR', 'Modified Privileges Required', 'environmental', 'X N L H'),
  m('MUI', 'Modified User Interaction', 'environmental', 'X N P A'),
  m('MVC', 'Modified Vulnerable System Confidentiality', 'environmental', 'X H L N'),
  m('MVI', 'Modified Vulnerable System Integrity', 'environmental', 'X H L N'),
  m('MVA', 'Modified Vulnerable System Availability', 'environmental', 'X H L N'),
  m('MSC', 'Modified Subsequent System Confidentiality', 'environmental', 'X H L N'),
  m('MSI', 'Modified Subsequent System Integrity', 'environmental', 'X S H L N'),
  m('MSA', 'Modified Subsequent System Availability', 'environmental', 'X S H L N'),
  m('S', 'Safety', 'supplemental', 'X N P'),
  m('AU', 'Automatable', 'supplemental', 'X N Y'),
  m('R', 'Recovery', 'supplemental', 'X A U I'),
  m('V', 'Value Density', 'supplemental', 'X D C'),
  m('RE', 'Vulnerability Response Effort', 'supplemental', 'X L M H'),
  m('U', 'Provider Urgency', 'supplemental', 'X Clear Green Amber Red'),
];

/** The metrics of a CVSS version in specification order, e.g. to build a calculator form. */
export function cvssMetricDefinitions(version: CvssVersion): readonly CvssMetricDefinition[] {
  return version === '4.0' ? CVSS4 : CVSS3;
}
