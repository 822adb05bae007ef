import { uniqueViolationConstraint } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { UserCursor } from './user-cursor';
import { User } from './user.entity';
import { UserEmailTakenError } from './users.errors';

export type NewUser = Pick<User, 'id' | 'email' | 'passwordHash' | 'firstName' | 'lastName'>;

/** Persistence of users; database errors become domain errors here and nowhere else. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * Inserts inside the caller's transaction. The unique index on `lower(email)` decides races: there is no
   * check-then-insert.
   * @throws UserEmailTakenError
   */
  async insert(manager: EntityManager, user: NewUser): Promise<User> {
    try {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(User)
        .values({ ...user, status: 'pending_verification', onboardingStatus: 'pending' })
        .returning([
          'id',
          'email',
          'firstName',
          'lastName',
          'status',
          'onboardingStatus',
          'createdAt',
          'updatedAt',
        ])
        .execute();
      return manager.create(User, result.generatedMaps[0] as Partial<User>);
    } catch (error) {
      if (uniqueViolationConstraint(error) === 'users_email_lower_key') throw new UserEmailTakenError();
      throw error;
    }
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Users after `after` in `(createdAt, id)` order. */
  findPage(limit: number, after?: UserCursor): Promise<User[]> {
    const query = this.users
      .createQueryBuilder('user')
      .orderBy('user.createdAt', 'ASC')
      .addOrderBy('user.id', 'ASC');
    if (after) {
      query.where(
        new Brackets((where) =>
          where
            .where('user.createdAt > :createdAt', { createdAt: after.createdAt })
            .orWhere('(user.createdAt = :createdAt AND user.id > :id)', { id: after.id }),
        ),
      );
    }
    return query.take(limit).getMany();
  }

  /** Records the outcome of onboarding on the user, inside the caller's transaction. */
  async setOnboardingStatus(
    manager: EntityManager,
    id: string,
    status: User['onboardingStatus'],
  ): Promise<void> {
    await manager.update(User, { id }, { onboardingStatus: status });
  }

  /**
   * Records that onboarding failed for good, inside the caller's transaction, unless it completed (a late dead
   * letter of a duplicate must not undo a completed onboarding).
   * @returns whether the user exists and was not completed
   */
  async markOnboardingFailed(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({ onboardingStatus: 'failed' })
      .where('id = :id', { id })
      .andWhere('onboarding_status <> :completed', { completed: 'completed' })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
