import { Type } from 'typebox';
import { Abilities } from '../http/schemas.ts';

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    locale: Type.String(),
    timeZone: Type.String(),
    pgpFingerprint: Type.Union([Type.String(), Type.Null()]),
    pgpPublicKey: Type.Union([Type.String(), Type.Null()]),
    totpEnabled: Type.Boolean(),
    disabled: Type.Boolean(),
    createdAt: Type.String(),
    memberships: Type.Union([
      Type.Array(
        Type.Object({ orgId: Type.String(), orgName: Type.String(), orgKind: Type.String(), role: Type.String() }),
      ),
      Type.Null(),
    ]),
    abilities: Abilities,
  },
  { $id: 'User' },
);
