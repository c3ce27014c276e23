import { expect, it } from 'vitest';
import { emTransitions } from './em.ts';
import { messageTypeCodes, messageTypes, wireMessageType } from './messages.ts';
import { vultronRoles } from './roles.ts';
import { describeSpec } from './spec.fixture.ts';

describeSpec('message types and roles against vultron.json', (spec) => {
  it('has the 28 message types of the spec, with model, meaning and wire alias', () => {
    expect([...messageTypeCodes]).toEqual(Object.keys(spec.message_types));
    for (const code of messageTypeCodes) {
      const { model, meaning, wire_alias_of } = spec.message_types[code] ?? {};
      expect([code, messageTypes[code]]).toEqual([
        code,
        { model, meaning, ...(wire_alias_of ? { wireAliasOf: wire_alias_of } : {}) },
      ]);
      expect(wireMessageType(code)).toBe(wire_alias_of ?? code);
    }
    expect(messageTypeCodes).toHaveLength(28);
  });

  it('emits only EM message types from the EM machine', () => {
    for (const e of emTransitions) expect(spec.message_types[e.message]?.model).toBe('EM');
  });

  it('has the roles of the code', () => {
    expect([...vultronRoles]).toEqual(spec.roles_code);
  });
});
