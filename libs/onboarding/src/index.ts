export * from './inbox-message.entity';
export * from './onboarding-dead-letter.observer';
export * from './onboarding-step.entity';
export * from './onboarding-timeline.repository';
export * from './onboarding-timeline.service';
export * from './onboarding.module';
export * from './onboarding.service';
