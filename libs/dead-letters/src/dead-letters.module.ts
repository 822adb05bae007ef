import { OutboxModule } from '@app/outbox';
import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { DeadLetterStoreModule } from './dead-letter-store.module';
import { DeadLetterLedger } from './dead-letter.ledger';
import { DEAD_LETTER_OBSERVERS, DeadLetterObserver } from './dead-letter.observer';

export interface DeadLettersModuleOptions {
  /** Modules the observers' dependencies come from. */
  imports?: ModuleMetadata['imports'];
  /** Told of every dead letter recorded, inside its transaction (only the app that records needs them). */
  observers?: Type<DeadLetterObserver>[];
}

/**
 * The dead-letter ledger. The app wires the observers in, so that this library knows no domain: onboarding
 * depends on the ledger, never the other way round.
 */
@Module({})
export class DeadLettersModule {
  static forRoot(options: DeadLettersModuleOptions = {}): DynamicModule {
    const observers = options.observers ?? [];
    return {
      module: DeadLettersModule,
      imports: [DeadLetterStoreModule, OutboxModule, ...(options.imports ?? [])],
      providers: [
        DeadLetterLedger,
        ...observers,
        {
          provide: DEAD_LETTER_OBSERVERS,
          inject: observers,
          useFactory: (...instances: DeadLetterObserver[]) => instances,
        },
      ],
      exports: [DeadLetterLedger],
    };
  }
}
