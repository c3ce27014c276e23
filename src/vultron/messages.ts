/**
 * Vultron message types — spec §(d) "Message types" (vultron.json: message_types). 28 types over the
 * RM, EM and CS models plus general inquiries; EV/EJ/EC travel on the wire as EP/ER/EA.
 */

export const messageTypeCodes = [
  'RS',
  'RI',
  'RV',
  'RD',
  'RA',
  'RC',
  'RK',
  'RE',
  'EP',
  'ER',
  'EA',
  'EV',
  'EJ',
  'EC',
  'ET',
  'EK',
  'EE',
  'CV',
  'CF',
  'CD',
  'CP',
  'CX',
  'CA',
  'CK',
  'CE',
  'GI',
  'GK',
  'GE',
] as const;
export type MessageType = (typeof messageTypeCodes)[number];

export type MessageModel = 'RM' | 'EM' | 'CS' | 'general';

export interface MessageTypeInfo {
  readonly model: MessageModel;
  readonly meaning: string;
  /** The type that carries this one on the wire (revisions reuse the proposal forms). */
  readonly wireAliasOf?: MessageType;
}

export const messageTypes = {
  RS: { model: 'RM', meaning: 'Report Submission (report sent to a new participant)' },
  RI: { model: 'RM', meaning: 'Report Invalid' },
  RV: { model: 'RM', meaning: 'Report Valid' },
  RD: { model: 'RM', meaning: 'Report Deferred' },
  RA: { model: 'RM', meaning: 'Report Accepted' },
  RC: { model: 'RM', meaning: 'Report Closed' },
  RK: { model: 'RM', meaning: 'Report Acknowledgement' },
  RE: { model: 'RM', meaning: 'Report Error (unexpected RM message)' },
  EP: { model: 'EM', meaning: 'Embargo Proposal' },
  ER: { model: 'EM', meaning: 'Embargo Proposal Rejection' },
  EA: { model: 'EM', meaning: 'Embargo Proposal Acceptance' },
  EV: { model: 'EM', meaning: 'Embargo Revision Proposal', wireAliasOf: 'EP' },
  EJ: { model: 'EM', meaning: 'Embargo Revision Rejection', wireAliasOf: 'ER' },
  EC: { model: 'EM', meaning: 'Embargo Revision Acceptance', wireAliasOf: 'EA' },
  ET: { model: 'EM', meaning: 'Embargo Termination (immediate effect, with reason)' },
  EK: { model: 'EM', meaning: 'Embargo Acknowledgement' },
  EE: { model: 'EM', meaning: 'Embargo Error' },
  CV: { model: 'CS', meaning: 'Vendor Awareness (a specific Vendor has been notified)' },
  CF: { model: 'CS', meaning: 'Fix Readiness (a specific Vendor has a fix)' },
  CD: { model: 'CS', meaning: 'Fix Deployed' },
  CP: { model: 'CS', meaning: 'Public Awareness' },
  CX: { model: 'CS', meaning: 'Exploit Public' },
  CA: { model: 'CS', meaning: 'Attacks Observed' },
  CK: { model: 'CS', meaning: 'CS Acknowledgement' },
  CE: { model: 'CS', meaning: 'CS Error' },
  GI: {
    model: 'general',
    meaning: 'General Inquiry (questions, status requests, draft review, suggest participant, resync)',
  },
  GK: { model: 'general', meaning: 'General Acknowledgement' },
  GE: { model: 'general', meaning: 'General Error' },
} as const satisfies Record<MessageType, MessageTypeInfo>;

export function isMessageType(raw: string): raw is MessageType {
  return (messageTypeCodes as readonly string[]).includes(raw);
}

/** The type to put on the wire: a revision (EV/EJ/EC) is sent as EP/ER/EA and told apart by EM state. */
export function wireMessageType(type: MessageType): MessageType {
  const info: MessageTypeInfo = messageTypes[type];
  return info.wireAliasOf ?? type;
}
