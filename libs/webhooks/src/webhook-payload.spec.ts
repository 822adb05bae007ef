import type { User } from '@app/users';
import { webhookPayload } from './webhook-payload';

const user = {
  id: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f',
  email: 'ada@example.com',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  firstName: 'Ada',
  lastName: 'Lovelace',
  status: 'active',
  onboardingStatus: 'completed',
  createdAt: new Date('2026-11-24T10:00:00.000Z'),
  updatedAt: new Date('2026-11-24T10:05:00.000Z'),
  emailVerifiedAt: new Date('2026-11-24T10:05:00.000Z'),
  verificationMethod: 'token',
  erasedAt: null,
  version: 3,
} as unknown as User;
const at = new Date('2026-11-24T10:05:00.000Z');

describe('webhook payloads', () => {
  it('when a user event is delivered, then data is the user’s public fields as they are now, no password hash', () => {
    const payload = webhookPayload('user.verified', { userId: user.id, method: 'token' }, at, user);

    expect(payload).toEqual({
      type: 'user.verified',
      timestamp: '2026-11-24T10:05:00.000Z',
      data: {
        id: user.id,
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        status: 'active',
        emailVerifiedAt: '2026-11-24T10:05:00.000Z',
        verificationMethod: 'token',
        createdAt: '2026-11-24T10:00:00.000Z',
        updatedAt: '2026-11-24T10:05:00.000Z',
        erasedAt: null,
      },
    });
    expect(JSON.stringify(payload)).not.toContain('argon2');
  });

  it('when user.updated is delivered, then data also names the changed fields', () => {
    expect(webhookPayload('user.updated', { changed: ['lastName'] }, at, user).data).toMatchObject({
      changed: ['lastName'],
      lastName: 'Lovelace',
    });
  });

  it('when user.erased is delivered, then data has only the id and the erasure time', () => {
    expect(webhookPayload('user.erased', { userId: user.id }, at, user)).toEqual({
      type: 'user.erased',
      timestamp: '2026-11-24T10:05:00.000Z',
      data: { id: user.id, erasedAt: '2026-11-24T10:05:00.000Z' },
    });
  });
});
