/**
 * The FIRST PSIRT Services Framework, version 1.1: its six service areas, their services and the
 * services' functions, with the framework's own numbering — pure data.
 *
 * Source: https://www.first.org/standards/frameworks/psirts/psirt_services_framework_v1-1 (the
 * HTML edition; titles as printed there, with its capitalization). Sub-functions (e.g. 1.1.1.1)
 * are not listed: an assessment rates functions, and a service that has no functions of its own
 * (6.5) is rated as a whole. The unnumbered "Operational Foundations" chapter is not part of the
 * numbered service areas and is not listed either.
 */

export const FRAMEWORK = {
  name: 'FIRST PSIRT Services Framework',
  version: '1.1',
  source: 'https://www.first.org/standards/frameworks/psirts/psirt_services_framework_v1-1',
} as const;

export interface CatalogueFunction {
  id: string;
  title: string;
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

const fns = (serviceId: string, titles: readonly string[]): CatalogueFunction[] =>
  titles.map((title, i) => ({ id: `${serviceId}.${i + 1}`, title }));

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
}

export const ASSESSABLE_ITEMS: readonly AssessableItem[] = CATALOGUE.flatMap((area) =>
  area.services.flatMap((s): AssessableItem[] => {
    const base = { areaId: area.id, areaTitle: area.title, serviceId: s.id, serviceTitle: s.title };
    if (s.functions.length === 0) return [{ id: s.id, title: s.title, kind: 'service' as const, ...base }];
    return s.functions.map((f) => ({ id: f.id, title: f.title, kind: 'function' as const, ...base }));
  }),
);

const itemIds = new Set(ASSESSABLE_ITEMS.map((i) => i.id));
const allIds = new Set(
  CATALOGUE.flatMap((a) => [a.id, ...a.services.flatMap((s) => [s.id, ...s.functions.map((f) => f.id)])]),
);

export function isAssessableItem(id: string): boolean {
  return itemIds.has(id);
}

/** Any numbered part of the framework (area, service or function): what a gap action may refer to. */
export function isCatalogueId(id: string): boolean {
  return allIds.has(id);
}
