import { OutboxModule } from '@app/outbox';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from './password.hasher';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), OutboxModule],
  providers: [UsersService, UsersRepository, PasswordHasher],
  exports: [UsersService, UsersRepository],
})
export class UsersModule {}
