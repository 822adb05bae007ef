import { AppConfig } from '@app/config';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { WebhookAddressGuard } from './webhook-address.guard';
import type { WebhookSignatureHeaders } from './webhook.signer';
import { WebhookDeliveryError } from './webhooks.errors';

/** One signed attempt, ready to go. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: WebhookSignatureHeaders;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** `Retry-After` as milliseconds: delay-seconds or an HTTP-date (RFC 9110, section 10.2.3); undefined otherwise. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Posts signed webhooks with undici (the HTTP client Node's own fetch is built on), through one keep-alive pool
 * whose connections resolve names with the SSRF guard's lookup. Redirects are never followed. Each attempt has
 * `WEBHOOK_TIMEOUT_MS` in all (connect, headers, body). Every outcome but a 2xx becomes a classified
 * {@link WebhookDeliveryError}.
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(
    config: AppConfig,
    private readonly guard: WebhookAddressGuard,
  ) {
    this.timeoutMs = config.webhooks.timeoutMs;
    const lookup = guard.lookup;
    this.agent = new Agent({
      connect: { timeout: this.timeoutMs, ...(lookup ? { lookup } : {}) },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /**
   * @returns the endpoint's 2xx status
   * @throws WebhookDeliveryError
   */
  async send(webhook: WebhookRequest): Promise<number> {
    const url = new URL(webhook.url);
    this.guard.checkDestination(url);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'onboarding-service-webhooks',
          ...webhook.headers,
        },
        body: webhook.body,
      });
      // Read (and drop) the answer within the same deadline, so the connection can be reused.
      await answer.body.dump({ limit: 64 * 1024, signal });
    } catch (error) {
      throw this.classifyError(error, signal.aborted);
    }
    const { statusCode, headers } = answer;
    if (statusCode >= 200 && statusCode < 300) return statusCode;
    if (statusCode >= 300 && statusCode < 400) {
      const location = typeof headers.location === 'string' ? ` to ${headers.location.slice(0, 200)}` : '';
      throw new WebhookDeliveryError(
        'WEBHOOK_REDIRECTED',
        `the endpoint answered ${statusCode}, a redirect${location}, which is not followed`,
        statusCode,
      );
    }
    if (statusCode === 408 || statusCode === 429 || statusCode >= 500) {
      throw new WebhookDeliveryError(
        'WEBHOOK_RECEIVER_ERROR',
        `the endpoint answered ${statusCode}`,
        statusCode,
        retryAfterMs(headers['retry-after']),
      );
    }
    throw new WebhookDeliveryError('WEBHOOK_REJECTED', `the endpoint answered ${statusCode}`, statusCode);
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  private classifyError(error: unknown, timedOut: boolean): WebhookDeliveryError {
    // The guard's lookup refused the address the name resolves to.
    for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
      if (cause instanceof WebhookDeliveryError) return cause;
    }
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
      return new WebhookDeliveryError('WEBHOOK_TIMEOUT', `no answer within ${this.timeoutMs} ms`);
    }
    const what = typeof code === 'string' ? `${code}: ${String(message)}` : String(message ?? error);
    return new WebhookDeliveryError('WEBHOOK_UNREACHABLE', `the endpoint could not be reached (${what})`);
  }
}
