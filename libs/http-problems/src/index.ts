export * from './api-problem.decorator';
export * from './json-body.parser';
export * from './problem-details.dto';
export * from './problem-details.filter';
export * from './problem-mapping';
export * from './request-validation.error';
