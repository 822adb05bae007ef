/** What a step knows of the message that runs it, besides its payload. */
export interface StepMessage {
  messageId: string;
  /** The request that started it all (the registration's `X-Request-Id`), carried to the messages that follow. */
  requestId?: string;
}

/** Headers of a message a step schedules: the request id travels on. */
export const followUpHeaders = (message: StepMessage): Record<string, string> =>
  message.requestId ? { 'x-request-id': message.requestId } : {};
