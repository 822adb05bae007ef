export * from './outbox-backlog';
export * from './outbox-handoff';
export * from './outbox-message.entity';
export * from './outbox-relay.module';
export * from './outbox.module';
export * from './outbox.relay';
export * from './outbox.writer';
export * from './outbox-retention';
