/**
 * The FIRST PSIRT Services Framework, version 1.1: its six service areas, their services, the
 * services' functions and the functions' sub-functions, with the framework's own numbering — pure
 * data.
 *
 * Source: https://www.first.org/standards/frameworks/psirts/psirt_services_framework_v1-1 (the
 * HTML edition; titles as printed there, with its capitalization). An assessment rates functions
 * (a service that has no functions of its own, 6.5, is rated as a whole); sub-functions are the
 * facets listed under a function to judge it by, and a gap action may name one. Functions plus
 * sub-functions make the ~195 facets of the "Crawl, Walk, Run" spreadsheet (194 leaves here).
 * The edition misprints three sub-function numbers, renumbered here to run on without gaps
 * (`printedAs` keeps the printed number): 1.5.1.1.2 and 1.5.1.1.3 (read 1.5.1.2 and 1.5.1.3), and
 * the second 5.3.1.1 (read 5.3.1.2, so Release Note Approvals is 5.3.1.3). The unnumbered
 * "Operational Foundations" chapter is not part of the numbered service areas and is not listed.
 */

export const FRAMEWORK = {
  name: 'FIRST PSIRT Services Framework',
  version: '1.1',
  source: 'https://www.first.org/standards/frameworks/psirts/psirt_services_framework_v1-1',
} as const;

export interface CatalogueSubFunction {
  id: string;
  title: string;
  /** The number the edition prints, where it misprints it (see above). */
  printedAs?: string;
}
export interface CatalogueFunction {
  id: string;
  title: string;
  subFunctions: readonly CatalogueSubFunction[];
}
export interface CatalogueService {
  id: string;
  title: string;
  functions: readonly CatalogueFunction[];
}
export interface CatalogueArea {
  id: string;
  title: string;
  services: readonly CatalogueService[];
}

/** Sub-function titles by function id, in order (numbered 1, 2, … under the function). */
const SUB_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  '1.1.1': [
    'Engage Corporate/Business Leaders and Executives',
    'Engage Public Relations, Legal, and Corporate Communications',
    'Engage Lines of Business',
    'Engage Development/Engineering',
    'Engage Customer-Facing Teams-Sales, Support',
    'Internal Working Group Participation',
  ],
  '1.1.2': ['Participate in SDL Activities', 'Participate in SDL Governance'],
  '1.1.3': [
    'Establish Product Security Defect Review Process',
    'Review Timing of Processes and Release Updates',
    'Review High-Profile Incidents',
  ],
  '1.2.2': [
    'Document and Define Peer PSIRTs',
    'Define Coordinated Disclosure Process',
    'Establish Security Information-Sharing Process',
    'Participate in Industry SIGs and Working Groups',
  ],
  '1.2.3': ['Engage Communities and Partners'],
  '1.2.4': [
    'Engage with Security Vendors',
    'Document Relevant Security Vendors',
    'Document Methods to Engage with Security Vendors',
  ],
  '1.2.5': ['Document and Define Relevant Bug Bounty Programs', 'Engage Bug Bounty Vendors'],
  '1.3.1': [
    'Document and Define Upstream Communities and Partners',
    'Engage Communities and Partners',
    'Participate in Upstream Communities',
    'Participate in Community and Industry Events',
    'Engage Community Security Teams',
  ],
  '1.3.2': ['Document and Define Downstream Communities, Consumers, and Partners', 'Engage Downstream Communities'],
  '1.4.1': ['Provide Clear Lifecycle and Support Policies', 'Stakeholder Engagement'],
  '1.5.1': [
    'Provide Clear Communication Channels',
    'Provide Internal Communication Channels',
    'Provide External Communication Channels',
  ],
  '1.5.2': ['Provide Secure communications Channels'],
  '1.5.3': [
    'Provide Security Flaw Defect Tracking for Products',
    'Create and Publish Security Defect Tracking Process',
  ],
  '1.5.4': ['Provide Multiple Communication Outlets', 'Provide Feedback to Stakeholders'],
  '1.6.1': ['Provide Acknowledgements'],
  '1.6.2': ['Create Finder Rewards Program', 'Start a Monetary Bug Bounty', "Start a 'Points Board'"],
  '1.7.1': ['Gather Stakeholder Metrics Requirements'],
  '1.7.2': ['Gather Stakeholder Metrics', 'Store Stakeholder Metrics'],
  '1.7.3': ['Analyze and Review Metric Data', 'Analyze Data trends and Historic Performance', 'Provide Data Context'],
  '1.7.4': ['Provide Stakeholder with Metric Artifacts', 'Review Metrics and Lesson Learned'],
  '2.1.1': [
    'Define Preferred Form Report Submission',
    'Publish Contact Details',
    'Register Common Points of Contact',
    'Connect the PSIRT within the Company',
    'Define and Maintain Readiness',
    'Prepare for Encrypted Submissions',
  ],
  '2.1.2': ['Monitor Communication Channels', 'Process Reports in Isolation', 'Timely Acknowledgement of Reports'],
  '2.4.1': ['Security Assessment of your Products', 'Security Assessment of Third-Party Components'],
  '2.4.2': ['Training of PSIRT Staff on security testing tools'],
  '2.5.1': [
    'Total of Discovered Vulnerabilities vs. Confirmed',
    'Total of Confirmed Vulnerabilities Broken Down by Third-Party Component',
    'Total Confirmed Vulnerabilities Broken Down by CWE',
    'Total Discovered Vulnerabilities Broken Down by Vulnerability Discovery Approach',
    'Total Discovered Vulnerabilities broken Down by Source',
  ],
  '2.5.2': [
    'On Time Response Rate',
    'Total Down Time of PSIRT Communication Channels',
    'Time to Triage Rate',
    'Number of Full Disclosures, Vulnerabilities Exploited in the Wild, And Vulnerabilities Identified Through Media',
  ],
  '3.1.1': ['Document Product Security Vulnerability Definitions', 'Engage with Product Development Teams'],
  '3.1.2': ['Collect Data'],
  '4.1.1': ['Product Inventory', 'Support Models', 'Product Lifecycle'],
  '4.1.2': ['Product Packaging Formats', 'Delivering a Remedy', 'Deploying a Remedy'],
  '4.1.3': ['Remedy Delivery Cadence', 'Document Exceptions'],
  '4.2.1': [
    'Validate Vulnerability',
    'Remediate Product Versions',
    'Review Support Agreements',
    'Root Cause Analysis',
    'Determine the Mechanism for Rejecting a Vulnerability',
    'Remediation Analysis',
    'Remedy Workarounds',
    'Exceptions',
  ],
  '4.2.2': [
    'Validate Reported Vulnerabilities that have been Remediated',
    'Remedy Signoff',
    'Validate Remedy with Finders',
  ],
  '4.2.3': [
    'Disclosure Type',
    'Coordinate the disclosure, if applicable',
    'Post Remedy to Internal Database',
    'Release Remedy Disclosure',
  ],
  '4.2.4': [
    'Authoritative Roles',
    'Define Risk Management Process',
    'Assess and Quantify Risk',
    'Document the Risk in the Risk Register',
    'Recommendations',
  ],
  '4.3.1': [
    'Incident Management Plan',
    'Identify Resources Required to Handle and Manage the Incident',
    'Involve Stakeholders in Incident Response Plan',
    'Assign Clear Roles and Responsibilities to Manage the Incident',
  ],
  '4.3.2': ['Information Collection', 'Analysis', 'Response', 'Incident Tracking', 'Incident Postmortem Process'],
  '4.3.3': [
    'Publication of Information to Internal Stakeholders',
    'Public Relations are Well Managed and Coordinated',
    'Communicate Recovery Activities',
    'Collect Incident Postmortem Feedback',
  ],
  '4.4.1': [
    'Total Number of Vulnerabilities Reported vs. Confirmed (by product/business units)',
    'Total Confirmed Vulnerabilities Broken Down by Third-Party Component',
    'Total Confirmed Vulnerabilities Broken Down by CWE (by product/BU)',
  ],
  '4.4.2': [
    'On Time Impact Assessment',
    'On Time Fix Plan',
    'Remediation Tracking',
    'On Time Remediation Rate',
    'Number of Incidents',
  ],
  '5.1.1': [
    'PSIRT Reporting to Intermediate Vendors',
    'Intermediate Vendor Reporting',
    'Contractual Agreements',
    'PSIRT Notification to Stakeholders',
  ],
  '5.1.2': ['Coordinator Identification', 'Coordinator Engagement'],
  '5.2.1': ['Report Receipt', 'Regular Updates', 'Validation by Finder', 'Finder Acknowledgement'],
  '5.2.2': [
    'Report Receipt',
    'Affected Vendor Identification',
    'Vulnerability Information Sharing',
    'Remedy Release Planning',
    'Remedy Validation',
    'Disclosure Coordination',
  ],
  '5.3.1': ['Release Note Disclosure', 'Release Note Review', 'Release Note Approvals'],
  '5.3.2': [
    'Advisory Template',
    'Advisory Delivery Method',
    'Advisory Formatting',
    'Advisory Triggers',
    'CVE Assignment',
    'Finder Acknowledgement',
    'Disclosure Planning',
    'Advisory Review Process',
  ],
  '5.3.3': [
    'Knowledge-Based Article Disclosure',
    'Knowledge-Based Article Review',
    'Knowledge-Based Article Approvals',
  ],
  '5.3.4': ['Internal Stakeholder Engagement'],
  '5.4.1': [
    'Number of Security Advisories Posted',
    'Number of CVEs Posted to NVD',
    'Page Views on Security Advisories',
  ],
  '6.1.4': [
    'Bug Tracking and Other Management Tools for PSIRT and the Engineering Staff',
    'Third-Party Tracking Tools',
  ],
};

/** Where the edition prints another number than the one the sequence gives (see the file comment). */
const PRINTED_AS: Readonly<Record<string, string>> = {
  '1.5.1.2': '1.5.1.1.2',
  '1.5.1.3': '1.5.1.1.3',
  '5.3.1.2': '5.3.1.1',
  '5.3.1.3': '5.3.1.2',
};

const subs = (functionId: string): CatalogueSubFunction[] =>
  (SUB_FUNCTIONS[functionId] ?? []).map((title, i) => {
    const id = `${functionId}.${i + 1}`;
    const printedAs = PRINTED_AS[id];
    return printedAs ? { id, title, printedAs } : { id, title };
  });

const fns = (serviceId: string, titles: readonly string[]): CatalogueFunction[] =>
  titles.map((title, i) => {
    const id = `${serviceId}.${i + 1}`;
    return { id, title, subFunctions: subs(id) };
  });

const service = (id: string, title: string, functions: readonly string[] = []): CatalogueService => ({
  id,
  title,
  functions: fns(id, functions),
});

export const CATALOGUE: readonly CatalogueArea[] = [
  {
    id: '1',
    title: 'Stakeholder Ecosystem Management',
    services: [
      service('1.1', 'Internal Stakeholder Management', [
        'Engage Internal Stakeholders',
        'Internal Secure Development Lifecycle',
        'Incident Postmortem Process',
      ]),
      service('1.2', 'Finder Community Engagement', [
        'Engage Finders',
        'Engage with other PSIRTs',
        'Engage with Coordinators (CSIRTs and other coordination center organizations)',
        'Engage with Security Researchers',
        'Engage with Bug Bounty Vendors',
        'Anticipate the needs of CSIRTs',
      ]),
      service('1.3', 'Community and Organizational Engagement', [
        'Define & Engage with Upstream Communities & Partners',
        'Define & Engage with Downstream Communities & Partners',
      ]),
      service('1.4', 'Downstream Stakeholder Management', ['Engage with Downstream Stakeholders']),
      service('1.5', 'Incident Communications Coordination within the Organization', [
        'Provide Communication Channels/Outlets',
        'Secure Communications Management',
        'Security Defect Tracking System Updates',
        'Information Sharing and Publishing',
      ]),
      service('1.6', 'Reward Finders with Recognition & Acknowledgement', [
        'Provide Acknowledgements',
        'Reward Finders',
      ]),
      service('1.7', 'Stakeholder Metrics', [
        'Understand Stakeholder Artifact Requirements',
        'Collect Stakeholder Metrics',
        'Analyze Stakeholder Metrics',
        'Provide Stakeholder Metric Artifacts',
      ]),
    ],
  },
  {
    id: '2',
    title: 'Vulnerability Discovery',
    services: [
      service('2.1', 'Intake of Vulnerability Reporting', ['Ensure Reachability', 'Handle Vulnerability Reports']),
      service('2.2', 'Identify Unreported Vulnerabilities', [
        'Monitor Exploit Databases',
        'Monitor Conference Programs',
        'Monitor Publications by Renowned Finders',
        'Monitor Mass Media',
      ]),
      service('2.3', 'Monitoring for Product Component Vulnerabilities', [
        'Inventory of Product Components',
        'Monitor Third-Party Advisories',
        'Monitor Vulnerability Intelligence Sources',
        'Set-up Procedures for Intake of Vendor-Internal Supply Chain Vulnerabilities',
        'Set-up Notification of Internal Development Teams',
      ]),
      service('2.4', 'Identifying New Vulnerabilities', [
        'Product Security Assessment',
        'Maintain Expertise for Security Testing Tools',
      ]),
      service('2.5', 'Vulnerability Discovery Metrics', ['Operational Reports', 'Business Reports']),
    ],
  },
  {
    id: '3',
    title: 'Vulnerability Triage and Analysis',
    services: [
      service('3.1', 'Vulnerability Qualification', ['Quality Gate and Bug Bars', 'Continuous Improvement']),
      service('3.2', 'Established Finders', [
        'Finder Database',
        'Accelerated Handling for Established Finders',
        'Finder Profile',
        'Defining Finder Report Quality',
      ]),
      service('3.3', 'Vulnerability Reproduction', [
        'Establish Service Level Agreement for Vulnerability Reproduction',
        'Reproduction Test Environment',
        'Reproduction Tools',
        'Vulnerability Storage',
        'Impacted Products',
      ]),
    ],
  },
  {
    id: '4',
    title: 'Remediation',
    services: [
      service('4.1', 'Remedy Release Management Plan', [
        'Product Lifecycle Management',
        'Method of Delivery',
        'Delivery Cadence',
      ]),
      service('4.2', 'Remediation', ['Analysis', 'Remedy Resolution', 'Remedy Delivery', 'Risk Management Process']),
      service('4.3', 'Incident Handling', ['Establish Situation Room', 'Incident Management', 'Communication Plan']),
      service('4.4', 'Vulnerability Release Metrics', ['Operational Reports', 'Business Reports']),
    ],
  },
  {
    id: '5',
    title: 'Vulnerability Disclosure',
    services: [
      service('5.1', 'Notification', ['Intermediate Vendor (Downstream Vendor)', 'Coordinators', 'Finder']),
      service('5.2', 'Coordination', ['Bi-lateral Coordination', 'Multi-Vendor Coordination']),
      service('5.3', 'Disclosure', [
        'Release Notes',
        'Security Advisory',
        'Knowledge-Based Articles',
        'Internal Stakeholder Communication',
      ]),
      service('5.4', 'Vulnerability Metrics', ['Operational Reports']),
    ],
  },
  {
    id: '6',
    title: 'Training and Education',
    services: [
      service('6.1', 'Training the PSIRT', [
        'Technical training',
        'Communications Training',
        'Process Training',
        'Tools Training',
        'Tracking all Training Initiatives',
      ]),
      service('6.2', 'Training the Development Team', ['PSIRT Process Training']),
      service('6.3', 'Training the Validation Team', ['PSIRT Process Training']),
      service('6.4', 'Continuing Education for all Stakeholders', [
        'Training Executive Management',
        'Training the Legal Team',
        'Training the Government Affairs and Compliance Team',
        'Training the Marketing Team',
        'Training the Public Relations Team',
        'Training the Sales Team',
        'Training the Support Team',
      ]),
      service('6.5', 'Provide Feedback Mechanisms'),
    ],
  },
];

/** One rated line of an assessment: a function, or a service without functions. */
export interface AssessableItem {
  id: string;
  title: string;
  kind: 'function' | 'service';
  areaId: string;
  areaTitle: string;
  serviceId: string;
  serviceTitle: string;
  /** The facets to judge a function by (none for a service rated as a whole). */
  subFunctions: readonly CatalogueSubFunction[];
}

export const ASSESSABLE_ITEMS: readonly AssessableItem[] = CATALOGUE.flatMap((area) =>
  area.services.flatMap((s): AssessableItem[] => {
    const base = { areaId: area.id, areaTitle: area.title, serviceId: s.id, serviceTitle: s.title };
    if (s.functions.length === 0)
      return [{ id: s.id, title: s.title, kind: 'service' as const, ...base, subFunctions: [] }];
    return s.functions.map((f) => ({
      id: f.id,
      title: f.title,
      kind: 'function' as const,
      ...base,
      subFunctions: f.subFunctions,
    }));
  }),
);

const itemIds = new Set(ASSESSABLE_ITEMS.map((i) => i.id));
const allIds = new Set(
  CATALOGUE.flatMap((a) => [
    a.id,
    ...a.services.flatMap((s) => [s.id, ...s.functions.flatMap((f) => [f.id, ...f.subFunctions.map((x) => x.id)])]),
  ]),
);

export function isAssessableItem(id: string): boolean {
  return itemIds.has(id);
}

/** Any numbered part of the framework (area, service, function or sub-function): what a gap action may name. */
export function isCatalogueId(id: string): boolean {
  return allIds.has(id);
}

/** The rated item a catalogue id falls under (a sub-function's function), or null for an area or a service. */
export function assessableItemOf(id: string): AssessableItem | null {
  return ASSESSABLE_ITEMS.find((i) => i.id === id || id.startsWith(`${i.id}.`)) ?? null;
}
