export * from './dependency-unavailable.error';
export * from './domain.error';
