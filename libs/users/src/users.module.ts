import { OutboxModule } from '@app/outbox';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from './password.hasher';
import { UserLifecycleMetrics } from './user-lifecycle.metrics';
import { UserLifecycleService } from './user-lifecycle.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), OutboxModule],
  providers: [UsersService, UserLifecycleService, UserLifecycleMetrics, UsersRepository, PasswordHasher],
  exports: [UsersService, UserLifecycleService, UserLifecycleMetrics, UsersRepository],
})
export class UsersModule {}
